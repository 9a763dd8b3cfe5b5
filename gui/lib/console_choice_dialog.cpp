#include "console_choice_dialog.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QRadioButton>
#include <QVBoxLayout>

ConsoleChoiceDialog::ConsoleChoiceDialog(const QString& vmName, const QList<ConsoleOption>& options,
                                         const std::optional<ConsoleOption>& preselected,
                                         QWidget* parent)
    : QDialog(parent), options_(options), group_(new QButtonGroup(this)) {
    setObjectName("consoleChoiceDialog");
    setWindowTitle(tr("Open a Console of %1").arg(vmName));
    setWindowModality(Qt::WindowModal);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Which console of %1 do you want to open?").arg(vmName)));
    int checked = 0;
    for (int i = 0; i < options_.size(); ++i) {
        auto* button = new QRadioButton(options_[i].label());
        button->setObjectName("console:" + options_[i].key());
        group_->addButton(button, i);
        layout->addWidget(button);
        if (preselected && options_[i] == *preselected)
            checked = i;
    }
    if (QAbstractButton* b = group_->button(checked))
        b->setChecked(true);
    remember_ = new QCheckBox(tr("&Remember for this VM (open it on Start without asking)"));
    remember_->setChecked(preselected.has_value());
    layout->addWidget(remember_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

void ConsoleChoiceDialog::select(int index) {
    if (QAbstractButton* b = group_->button(index))
        b->setChecked(true);
}

ConsoleChoice ConsoleChoiceDialog::choice() const {
    const int index = std::max(0, group_->checkedId());
    return {options_.value(index), remember_->isChecked()};
}
