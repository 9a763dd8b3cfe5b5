// New VM wizard, page 1: the VM's name, checked as it is typed against the
// inventory's rules and the names already used (inventory and host).
#pragma once

#include <QStringList>
#include <QWizardPage>

class QLabel;
class QLineEdit;

class WizardNamePage : public QWizardPage {
    Q_OBJECT
public:
    explicit WizardNamePage(QStringList takenNames, QWidget* parent = nullptr);

    // Why name cannot be used (empty if it can).
    static QString problemWith(const QString& name, const QStringList& taken);
    bool isComplete() const override;
    QLineEdit* nameEdit() const { return edit_; }
    QString problemText() const;

private:
    void check();

    QStringList taken_;
    QLineEdit* edit_;
    QLabel* problem_;
};
