// Asks which of a VM's consoles to open (ConsoleOption), with "remember for
// this VM". Window-modal and asynchronous: open() it and read choice()
// once accepted.
#pragma once

#include "console_choice.h"

#include <QDialog>

class QButtonGroup;
class QCheckBox;

class ConsoleChoiceDialog : public QDialog {
    Q_OBJECT
public:
    // preselected (when one of options) starts checked, else the first.
    ConsoleChoiceDialog(const QString& vmName, const QList<ConsoleOption>& options,
                        const std::optional<ConsoleOption>& preselected, QWidget* parent = nullptr);

    ConsoleChoice choice() const;
    void select(int index);
    QCheckBox* rememberBox() const { return remember_; }

private:
    QList<ConsoleOption> options_;
    QButtonGroup* group_;
    QCheckBox* remember_;
};
