#include "adopt_vm_dialog.h"
#include "path_field.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

AdoptVmDialog::AdoptVmDialog(const QString& vmName, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Add %1 to the Inventory").arg(vmName));
    config_ = new PathField("adoptConfig", tr("Palacios configs (*.xml);;All files (*)"));
    image_ = new PathField("adoptImage", tr("Guest images (*.img);;All files (*)"));
    auto* intro = new QLabel(tr("The host runs <b>%1</b>, which the inventory does not know. "
                                "Name the image it was created from (and its config, if you "
                                "have it) to manage it here.")
                                 .arg(vmName.toHtmlEscaped()));
    intro->setWordWrap(true);
    auto* form = new QFormLayout;
    form->addRow(tr("Config XML (optional):"), config_);
    form->addRow(tr("Image:"), image_);
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("Add to Inventory"));
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(false);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(image_, &PathField::pathChanged, this, [this]() {
        buttons_->button(QDialogButtonBox::Ok)->setEnabled(!image_->path().isEmpty());
    });
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(buttons_);
    resize(560, sizeHint().height());
}

QString AdoptVmDialog::configPath() const {
    return config_->path();
}

QString AdoptVmDialog::imagePath() const {
    return image_->path();
}
