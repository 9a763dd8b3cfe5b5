#include "message_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

MessageBar::MessageBar(QWidget* parent) : QFrame(parent) {
    setObjectName("messageBar");
    setFrameShape(QFrame::StyledPanel);
    icon_ = new QLabel;
    label_ = new QLabel;
    label_->setObjectName("messageText");
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton;
    close->setAutoRaise(true);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close->setToolTip(tr("Dismiss"));
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(icon_);
    layout->addWidget(label_, 1);
    layout->addWidget(close, 0, Qt::AlignTop);
    hide();
}

void MessageBar::present(const QString& text, bool error, const QString& vm) {
    error_ = error;
    vm_ = vm;
    label_->setText(text);
    icon_->setPixmap(
        style()
            ->standardIcon(error ? QStyle::SP_MessageBoxWarning : QStyle::SP_MessageBoxInformation)
            .pixmap(20, 20));
    setStyleSheet(error ? "#messageBar { background: #fbe3e1; border: 1px solid #e3a29c; }"
                        : "#messageBar { background: #e3eefb; border: 1px solid #9cbbe3; }");
    show();
}

void MessageBar::showError(const QString& text, const QString& vm) {
    present(text, true, vm);
}

void MessageBar::showInfo(const QString& text, const QString& vm) {
    present(text, false, vm);
}

void MessageBar::dismissFor(const QString& vm) {
    if (!vm.isEmpty() && vm == vm_)
        hide();
}

QString MessageBar::text() const {
    return isVisible() ? label_->text() : QString();
}
