#include "new_vm_wizard.h"
#include "image_builder.h"
#include "inventory_service.h"
#include "wizard_compose_page.h"
#include "wizard_name_page.h"
#include "wizard_source_page.h"
#include "wizard_summary_page.h"

#include <QAbstractButton>
#include <QFileInfo>
#include <QLineEdit>

NewVmWizard::NewVmWizard(QStringList takenNames, InventoryService* inventory, QString hostKey,
                         QWidget* parent)
    : QWizard(parent), inventory_(inventory), hostKey_(std::move(hostKey)) {
    setWindowTitle(tr("New VM"));
    setObjectName("newVmWizard");
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    name_ = new WizardNamePage(std::move(takenNames));
    source_ = new WizardSourcePage;
    compose_ = new WizardComposePage;
    summary_ = new WizardSummaryPage;
    setPage(NamePage, name_);
    setPage(SourcePage, source_);
    setPage(ComposePage, compose_);
    setPage(SummaryPage, summary_);
    setStartId(NamePage);
    builder_ = new ImageBuilder(this);
    // Building takes the builder's steps, then one more: the inventory.
    connect(builder_, &ImageBuilder::progress, this, [this](const QString& stage, int step) {
        summary_->setStep(step, ImageBuilder::kSteps + 1);
        summary_->setBusy(true, stage);
    });
    connect(builder_, &ImageBuilder::finished, this, &NewVmWizard::buildFinished);
    // A built image given as the payload: back to the source page, with it
    // as the VM's image (its config is inside it).
    connect(compose_, &WizardComposePage::useAsImageRequested, this, [this](const QString& path) {
        source_->useImage(path);
        if (currentId() == ComposePage)
            back();
    });
    resize(640, 520);
}

void NewVmWizard::setHostGuestMemory(int totalMb, int freeMb) {
    compose_->setHostGuestMemory(totalMb, freeMb);
}

QString NewVmWizard::vmName() const {
    return name_->nameEdit()->text().trimmed();
}

bool NewVmWizard::composing() const {
    return source_->composing();
}

VmComposition NewVmWizard::composition() const {
    VmComposition c = compose_->composition();
    c.name = vmName();
    return c;
}

QString NewVmWizard::generatedXml() const {
    return composing() ? composition().toXml() : QString();
}

QString NewVmWizard::configPath() const {
    if (composing())
        return inventory_->vmFolder(vmName()) + "/" + vmName() + ".xml";
    return source_->configPath();
}

QString NewVmWizard::imagePath() const {
    if (!composing() && !source_->imagePath().isEmpty())
        return source_->imagePath();
    return inventory_->vmFolder(vmName()) + "/" + vmName() + ".img";
}

bool NewVmWizard::needsBuild() const {
    return composing() || source_->imagePath().isEmpty();
}

void NewVmWizard::accept() {
    if (working_)
        return;
    working_ = true;
    button(QWizard::BackButton)->setEnabled(false);
    if (needsBuild()) {
        builder_->build(generatedXml(), configPath(), imagePath());
        return;
    }
    addToInventory();
}

void NewVmWizard::reject() {
    if (working_)
        return; // the build finishes first; then Cancel works again
    QWizard::reject();
}

void NewVmWizard::buildFinished(bool ok, const QString& message) {
    if (!ok) {
        fail(tr("The image could not be built: %1").arg(message));
        return;
    }
    addToInventory();
}

void NewVmWizard::addToInventory() {
    const int steps = needsBuild() ? ImageBuilder::kSteps + 1 : 1;
    summary_->setStep(steps, steps);
    summary_->setBusy(true, tr("Adding %1 to the inventory...").arg(vmName()));
    inventory::NewVm vm;
    vm.name = vmName().toStdString();
    vm.host = hostKey_.isEmpty() ? std::string(inventory::kLocalHost) : hostKey_.toStdString();
    vm.config_path = QFileInfo(configPath()).absoluteFilePath().toStdString();
    vm.image_path = QFileInfo(imagePath()).absoluteFilePath().toStdString();
    vm.history_message = composing() ? "created by the New VM wizard"
                                     : "added by the New VM wizard from an existing config";
    inventory_->run(
        this, [vm](inventory::Inventory& inv) { return inv.add(vm); },
        [this](const v3ctl::Result<v3ctl::Result<inventory::VmRecord>>& added) {
            const v3ctl::Error* error = !added           ? &added.error()
                                        : !added.value() ? &added.value().error()
                                                         : nullptr;
            if (error) {
                fail(tr("The VM could not be added to the inventory: %1")
                         .arg(QString::fromStdString(error->message)));
                return;
            }
            working_ = false;
            summary_->setOutcome(true, tr("%1 is in the inventory.").arg(vmName()));
            if (composing() && compose_->reserveMissingMemory())
                emit reserveMemoryRequested(compose_->missingGuestMemoryMb());
            emit vmCreated(vmName());
            QWizard::accept();
        });
}

void NewVmWizard::fail(const QString& message) {
    working_ = false;
    button(QWizard::BackButton)->setEnabled(true);
    summary_->setOutcome(false, message);
    emit creationFailed(message);
}
