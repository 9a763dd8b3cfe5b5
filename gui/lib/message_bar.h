// A non-modal message strip above the tabs: what failed and why (the host's
// own sentence), until the user closes it or the next message replaces it.
#pragma once

#include <QFrame>

class QLabel;

class MessageBar : public QFrame {
    Q_OBJECT
public:
    explicit MessageBar(QWidget* parent = nullptr);
    void showError(const QString& text);
    void showInfo(const QString& text);
    QString text() const;
    bool isError() const { return error_; }

private:
    void present(const QString& text, bool error);
    QLabel* icon_;
    QLabel* label_;
    bool error_ = false;
};
