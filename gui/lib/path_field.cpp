#include "path_field.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

PathField::PathField(const QString& objectName, const QString& filter, QWidget* parent)
    : QWidget(parent), filter_(filter) {
    edit_ = new QLineEdit;
    edit_->setObjectName(objectName);
    auto* browse = new QPushButton(tr("Browse..."));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit_, 1);
    layout->addWidget(browse);
    connect(edit_, &QLineEdit::textChanged, this, &PathField::pathChanged);
    connect(browse, &QPushButton::clicked, this, [this]() {
        // A non-native dialog: it never blocks on a desktop portal.
        const QString chosen =
            save_ ? QFileDialog::getSaveFileName(this, tr("Choose a file"), path(), filter_,
                                                 nullptr, QFileDialog::DontUseNativeDialog)
                  : QFileDialog::getOpenFileName(this, tr("Choose a file"), path(), filter_,
                                                 nullptr, QFileDialog::DontUseNativeDialog);
        if (!chosen.isEmpty())
            setPath(chosen);
    });
}

QString PathField::path() const {
    const QString text = edit_->text().trimmed();
    return text.isEmpty() ? QString() : QFileInfo(text).absoluteFilePath();
}

void PathField::setPath(const QString& path) {
    edit_->setText(path);
}
