#include "wizard_name_page.h"

#include "vm_record.h"

#include <uapi/v3vee_names.h>

#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

WizardNamePage::WizardNamePage(QStringList takenNames, QWidget* parent)
    : QWizardPage(parent), taken_(std::move(takenNames)) {
    setTitle(tr("Name"));
    setSubTitle(tr("The name the host and the inventory know the VM by."));
    edit_ = new QLineEdit;
    edit_->setObjectName("vmName");
    edit_->setPlaceholderText(tr("for example: hello"));
    problem_ = new QLabel;
    problem_->setObjectName("nameProblem");
    problem_->setWordWrap(true);
    problem_->setStyleSheet("color: #b3261e");
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("&Name:")));
    layout->addWidget(edit_);
    layout->addWidget(problem_);
    layout->addStretch(1);
    qobject_cast<QLabel*>(layout->itemAt(0)->widget())->setBuddy(edit_);
    registerField("name*", edit_);
    connect(edit_, &QLineEdit::textChanged, this, &WizardNamePage::check);
    check();
}

QString WizardNamePage::problemWith(const QString& name, const QStringList& taken) {
    if (name.isEmpty())
        return tr("Enter a name.");
    // The module's rule (one path component: the VM's folder is named after
    // it), then the inventory's own.
    const QByteArray bytes = name.toUtf8();
    if (const char* problem = v3_name_problem(bytes.constData(), bytes.size())) {
        QString text = tr("%1 cannot be a VM name: %2").arg(name, QString::fromUtf8(problem));
        // Name the first character the rule refuses, if that is the reason.
        for (QChar c : name) {
            if (c.unicode() < 0x80 && v3_name_char_allowed(char(c.unicode())))
                continue;
            text += c == ' ' ? tr(" (not a space)") : tr(" (not '%1')").arg(c);
            break;
        }
        return text + '.';
    }
    if (auto problem = inventory::name_problem(name.toStdString()))
        return QString::fromStdString(*problem);
    if (taken.contains(name))
        return tr("A VM named %1 already exists (in the inventory or on the host).").arg(name);
    return {};
}

QString WizardNamePage::problemText() const {
    return problem_->text();
}

void WizardNamePage::check() {
    const QString text = edit_->text();
    problem_->setText(text.isEmpty() ? QString() : problemWith(text, taken_));
    emit completeChanged();
}

bool WizardNamePage::isComplete() const {
    return problemWith(edit_->text(), taken_).isEmpty();
}
