// A non-modal message strip above the tabs: what failed and why (the host's
// own sentence), until the user closes it, the next message replaces it or
// the VM it is about is deleted.
#pragma once

#include <QFrame>

class QLabel;

class MessageBar : public QFrame {
    Q_OBJECT
public:
    explicit MessageBar(QWidget* parent = nullptr);
    // vm: the VM the message is about (empty: the host or the window).
    void showError(const QString& text, const QString& vm = {});
    void showInfo(const QString& text, const QString& vm = {});
    // Hides the message if it is about vm (the VM is gone).
    void dismissFor(const QString& vm);
    QString text() const;
    QString vm() const { return vm_; }
    bool isError() const { return error_; }

private:
    void present(const QString& text, bool error, const QString& vm);
    QLabel* icon_;
    QLabel* label_;
    bool error_ = false;
    QString vm_;
};
