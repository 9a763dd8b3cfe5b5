#include "wizard_source_page.h"
#include "guest_image_probe.h"
#include "new_vm_wizard.h"
#include "path_field.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QVBoxLayout>

WizardSourcePage::WizardSourcePage(QWidget* parent) : QWizardPage(parent) {
    setTitle(tr("Source"));
    setSubTitle(tr("Start from an existing Palacios config, or compose a new one."));
    compose_ = new QRadioButton(tr("&Compose a new VM (memory, cores, boot payload, consoles)"));
    compose_->setObjectName("composeSource");
    existing_ = new QRadioButton(tr("Use an &existing config XML and image"));
    existing_->setObjectName("existingSource");
    compose_->setChecked(true);
    config_ = new PathField("existingConfig", tr("Palacios configs (*.xml);;All files (*)"));
    image_ = new PathField("existingImage", tr("Guest images (*.img *.bin);;All files (*)"));
    auto* form = new QFormLayout;
    form->addRow(tr("Config XML:"), config_);
    form->addRow(tr("Image:"), image_);
    auto* hint = new QLabel(tr("Leave the image empty to build it from the config with build_vm, "
                               "or the config empty to use a built image as it is."));
    hint->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(compose_);
    layout->addWidget(existing_);
    layout->addLayout(form);
    layout->addWidget(hint);
    problem_ = new QLabel;
    problem_->setObjectName("sourceProblem");
    problem_->setWordWrap(true);
    problem_->setStyleSheet("color: #b3261e");
    layout->addWidget(problem_);
    layout->addStretch(1);
    imageProbe_ = new ImageProbe(tr("the image"), this);
    connect(imageProbe_, &ImageProbe::probed, this, &WizardSourcePage::check);
    auto sync = [this, hint]() {
        config_->setEnabled(existing_->isChecked());
        image_->setEnabled(existing_->isChecked());
        hint->setEnabled(existing_->isChecked());
        check();
    };
    connect(existing_, &QRadioButton::toggled, this, sync);
    connect(config_, &PathField::pathChanged, this, &WizardSourcePage::check);
    connect(image_, &PathField::pathChanged, this,
            [this]() { imageProbe_->probe(image_->path()); });
    sync();
}

bool WizardSourcePage::composing() const {
    return compose_->isChecked();
}

QString WizardSourcePage::configPath() const {
    return config_->path();
}

QString WizardSourcePage::imagePath() const {
    return image_->path();
}

void WizardSourcePage::useImage(const QString& path) {
    existing_->setChecked(true);
    image_->setPath(path);
}

// The first problem of the files named; while the image is being looked
// at, that it is.
QString WizardSourcePage::problem() const {
    if (composing())
        return {};
    const QString config = configPath();
    const QString image = imagePath();
    if (config.isEmpty() && image.isEmpty())
        return tr("Name a config XML (to build an image from) or a built image.");
    if (!config.isEmpty()) {
        const QFileInfo info(config);
        if (!info.exists())
            return tr("The config %1 does not exist.").arg(config);
        if (!info.isFile() || !info.isReadable())
            return tr("The config %1 cannot be read.").arg(config);
    }
    if (image.isEmpty())
        return {};
    if (!imageProbe_->isDone())
        return tr("Looking at the image %1...").arg(image);
    const GuestImageProbe& probe = imageProbe_->result();
    if (!probe.problem.isEmpty()) {
        QString sentence = probe.problem; // "the image ... does not exist"
        sentence[0] = sentence[0].toUpper();
        return sentence + '.';
    }
    if (!probe.isImage())
        return tr("%1 is not a guest image (it lacks build_vm's image header); leave the image "
                  "empty to build one from the config.")
            .arg(image);
    return {};
}

QString WizardSourcePage::problemText() const {
    return problem_->text();
}

void WizardSourcePage::check() {
    // Nothing typed yet is not worth a red line.
    const bool untouched = config_->edit()->text().isEmpty() && image_->edit()->text().isEmpty();
    problem_->setText(untouched ? QString() : problem());
    emit completeChanged();
}

bool WizardSourcePage::isComplete() const {
    return problem().isEmpty() &&
           (composing() || !configPath().isEmpty() || !imagePath().isEmpty());
}

int WizardSourcePage::nextId() const {
    return composing() ? NewVmWizard::ComposePage : NewVmWizard::SummaryPage;
}
