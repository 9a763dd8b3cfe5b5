// New VM wizard, last page: the XML that will be used (generated, or the
// existing config read on a worker), where the files go, and the progress
// and outcome of the build once Finish is pressed.
#pragma once

#include <QFutureWatcher>
#include <QWizardPage>

class QLabel;
class QPlainTextEdit;
class QProgressBar;

class WizardSummaryPage : public QWizardPage {
    Q_OBJECT
public:
    explicit WizardSummaryPage(QWidget* parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;

    QPlainTextEdit* xmlView() const { return xml_; }
    QLabel* statusLabel() const { return status_; }
    void setBusy(bool busy, const QString& stage);
    // Step `step` of `steps` is under way (the bar shows it).
    void setStep(int step, int steps);
    QProgressBar* progressBar() const { return progress_; }
    void setOutcome(bool ok, const QString& message);

private:
    QLabel* paths_;
    QPlainTextEdit* xml_;
    QProgressBar* progress_;
    QLabel* status_;
    QFutureWatcher<QString> reader_;
    bool busy_ = false;
};
