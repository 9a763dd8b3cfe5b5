#include "wizard_summary_page.h"
#include "new_vm_wizard.h"

#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

WizardSummaryPage::WizardSummaryPage(QWidget* parent) : QWizardPage(parent) {
    setTitle(tr("Summary"));
    setSubTitle(tr("Finish builds the image and adds the VM to the inventory as inactive."));
    setFinalPage(true);
    paths_ = new QLabel;
    paths_->setWordWrap(true);
    paths_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    xml_ = new QPlainTextEdit;
    xml_->setObjectName("generatedXml");
    xml_->setReadOnly(true);
    xml_->setLineWrapMode(QPlainTextEdit::NoWrap);
    xml_->setFont(QFont("monospace"));
    progress_ = new QProgressBar;
    progress_->setRange(0, 0);
    progress_->hide();
    status_ = new QLabel;
    status_->setObjectName("buildStatus");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(paths_);
    layout->addWidget(xml_, 1);
    layout->addWidget(progress_);
    layout->addWidget(status_);
    connect(&reader_, &QFutureWatcherBase::finished, this,
            [this]() { xml_->setPlainText(reader_.result()); });
}

void WizardSummaryPage::initializePage() {
    auto* w = qobject_cast<NewVmWizard*>(wizard());
    status_->clear();
    paths_->setText(tr("<b>%1</b><br>Config: %2<br>Image: %3%4")
                        .arg(w->vmName().toHtmlEscaped(), w->configPath().toHtmlEscaped(),
                             w->imagePath().toHtmlEscaped(),
                             w->needsBuild() ? tr(" (built now)") : tr(" (existing)")));
    if (w->composing()) {
        xml_->setPlainText(w->generatedXml());
        return;
    }
    xml_->setPlainText(tr("Reading %1...").arg(w->configPath()));
    const QString path = w->configPath();
    reader_.setFuture(QtConcurrent::run([path]() {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return tr("Cannot read %1: %2").arg(path, file.errorString());
        return QString::fromUtf8(file.readAll());
    }));
}

bool WizardSummaryPage::isComplete() const {
    return !busy_;
}

void WizardSummaryPage::setStep(int step, int steps) {
    progress_->setFormat(tr("Step %1 of %2").arg(step).arg(steps));
    progress_->setTextVisible(true);
    progress_->setRange(0, steps);
    progress_->setValue(step - 1); // the steps before it are done
}

void WizardSummaryPage::setBusy(bool busy, const QString& stage) {
    busy_ = busy;
    progress_->setVisible(busy);
    status_->setStyleSheet(QString());
    status_->setText(stage);
    emit completeChanged();
}

void WizardSummaryPage::setOutcome(bool ok, const QString& message) {
    setBusy(false, message);
    status_->setStyleSheet(ok ? "color: #1e6b34" : "color: #b3261e");
}
