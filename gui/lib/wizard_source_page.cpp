#include "wizard_source_page.h"
#include "new_vm_wizard.h"
#include "path_field.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
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
    auto* hint = new QLabel(tr("Leave the image empty to build it from the config with build_vm."));
    hint->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(compose_);
    layout->addWidget(existing_);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addStretch(1);
    auto sync = [this, hint]() {
        config_->setEnabled(existing_->isChecked());
        image_->setEnabled(existing_->isChecked());
        hint->setEnabled(existing_->isChecked());
        emit completeChanged();
    };
    connect(existing_, &QRadioButton::toggled, this, sync);
    connect(config_, &PathField::pathChanged, this, &WizardSourcePage::completeChanged);
    connect(image_, &PathField::pathChanged, this, &WizardSourcePage::completeChanged);
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

bool WizardSourcePage::isComplete() const {
    if (composing())
        return true;
    const QString config = configPath();
    if (config.isEmpty() || !QFileInfo(config).isFile())
        return false;
    const QString image = imagePath();
    return image.isEmpty() || QFileInfo(image).isFile();
}

int WizardSourcePage::nextId() const {
    return composing() ? NewVmWizard::ComposePage : NewVmWizard::SummaryPage;
}
