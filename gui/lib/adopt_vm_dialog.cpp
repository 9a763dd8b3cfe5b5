#include "adopt_vm_dialog.h"
#include "path_field.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

AdoptVmDialog::AdoptVmDialog(const VmEntry& vm, QWidget* parent) : QDialog(parent), vm_(vm) {
    setWindowTitle(tr("Add %1 to the Inventory").arg(vm.name));
    config_ = new PathField("adoptConfig", tr("Palacios configs (*.xml);;All files (*)"));
    image_ = new PathField("adoptImage", tr("Guest images (*.img);;All files (*)"));
    auto* intro = new QLabel(tr("The host runs <b>%1</b>, which the inventory does not know. "
                                "Name the image it was created from (and its config, if you "
                                "have it) to manage it here.")
                                 .arg(vm.name.toHtmlEscaped()));
    intro->setWordWrap(true);
    auto* form = new QFormLayout;
    form->addRow(tr("Config XML (optional):"), config_);
    form->addRow(tr("Image:"), image_);
    problem_ = new QLabel;
    problem_->setObjectName("adoptProblem");
    problem_->setWordWrap(true);
    problem_->setStyleSheet("color: #b3261e");
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("Add to Inventory"));
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    probe_ = new ImageProbe(tr("the image"), this);
    connect(probe_, &ImageProbe::probed, this, &AdoptVmDialog::check);
    connect(image_, &PathField::pathChanged, this, [this]() { probe_->probe(image_->path()); });
    connect(config_, &PathField::pathChanged, this, &AdoptVmDialog::check);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(problem_);
    layout->addWidget(buttons_);
    check();
    resize(560, sizeHint().height());
}

QString AdoptVmDialog::mismatch(const VmEntry& vm, const GuestImageProbe& image) {
    // The image holds no VM name (the name is given at creation): memory is
    // what the host reports that the image also says.
    if (vm.memoryMb > 0 && image.memoryMb > 0 && vm.memoryMb != image.memoryMb)
        return tr("%1 asks for %2 MB of memory, but %3 on the host has %4 MB: it was not created "
                  "from this image.")
            .arg(image.path)
            .arg(image.memoryMb)
            .arg(vm.name)
            .arg(vm.memoryMb);
    return {};
}

QString AdoptVmDialog::problem() const {
    const QString config = configPath();
    if (!config.isEmpty()) {
        const QFileInfo info(config);
        if (!info.exists())
            return tr("The config %1 does not exist.").arg(config);
        if (!info.isFile() || !info.isReadable())
            return tr("The config %1 cannot be read.").arg(config);
    }
    const QString image = imagePath();
    if (image.isEmpty())
        return tr("Name the image %1 was created from.").arg(vm_.name);
    if (!probe_->isDone())
        return tr("Looking at the image %1...").arg(image);
    const GuestImageProbe& probed = probe_->result();
    if (!probed.problem.isEmpty()) {
        QString sentence = probed.problem;
        sentence[0] = sentence[0].toUpper();
        return sentence + '.';
    }
    if (!probed.isImage())
        return tr("%1 is not a guest image (it lacks build_vm's image header).").arg(image);
    return mismatch(vm_, probed);
}

QString AdoptVmDialog::problemText() const {
    return problem_->text();
}

bool AdoptVmDialog::canAccept() const {
    return problem().isEmpty();
}

void AdoptVmDialog::check() {
    const bool untouched = image_->edit()->text().isEmpty() && config_->edit()->text().isEmpty();
    problem_->setText(untouched ? QString() : problem());
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(canAccept());
}

QString AdoptVmDialog::configPath() const {
    return config_->path();
}

QString AdoptVmDialog::imagePath() const {
    return image_->path();
}
