// The New VM wizard (QWizard): name, source (existing config and image, or
// a composition), composition, summary. Finish writes the config, builds the
// image with build_vm (asynchronously, with progress; a failure keeps the
// wizard open with build_vm's reason) and adds the VM to the inventory as
// inactive, with absolute paths, on a worker thread.
#pragma once

#include "vm_xml_composer.h"

#include <QStringList>
#include <QWizard>

class ImageBuilder;
class InventoryService;
class WizardComposePage;
class WizardNamePage;
class WizardSourcePage;
class WizardSummaryPage;

class NewVmWizard : public QWizard {
    Q_OBJECT
public:
    enum Page { NamePage, SourcePage, ComposePage, SummaryPage };

    // takenNames: every VM name in the inventory or on the host. inventory
    // (not owned) receives the new VM.
    NewVmWizard(QStringList takenNames, InventoryService* inventory, QString hostKey,
                QWidget* parent = nullptr);

    QString vmName() const;
    bool composing() const;
    VmComposition composition() const;
    QString generatedXml() const;
    // Absolute paths the VM will be recorded with.
    QString configPath() const;
    QString imagePath() const;
    bool needsBuild() const;

    WizardNamePage* namePage() const { return name_; }
    WizardSourcePage* sourcePage() const { return source_; }
    WizardComposePage* composePage() const { return compose_; }
    WizardSummaryPage* summaryPage() const { return summary_; }
    bool isWorking() const { return working_; }
    // The host's guest memory in MB (the compose page checks the VM's
    // memory against it); not called: unknown, no check.
    void setHostGuestMemory(int totalMb, int freeMb);

public slots:
    void accept() override;
    void reject() override;

signals:
    void vmCreated(const QString& name);
    // Finish failed; message is readable (build_vm's reason, the inventory's).
    void creationFailed(const QString& message);
    // The VM was created and the user asked to reserve the guest memory the
    // host lacks for it.
    void reserveMemoryRequested(int mb);

private:
    void buildFinished(bool ok, const QString& message);
    void addToInventory();
    void fail(const QString& message);

    InventoryService* inventory_;
    QString hostKey_;
    WizardNamePage* name_;
    WizardSourcePage* source_;
    WizardComposePage* compose_;
    WizardSummaryPage* summary_;
    ImageBuilder* builder_;
    bool working_ = false;
};
