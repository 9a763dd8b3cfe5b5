// New VM wizard, page 3 (when composing): memory, cores, boot payload and
// the consoles the VM should have.
#pragma once

#include "vm_xml_composer.h"

#include <QWizardPage>

class PathField;
class QCheckBox;
class QLabel;
class QSpinBox;

class WizardComposePage : public QWizardPage {
    Q_OBJECT
public:
    explicit WizardComposePage(QWidget* parent = nullptr);

    bool isComplete() const override;
    int nextId() const override;
    // The composition so far (name filled in by the wizard).
    VmComposition composition() const;

    QSpinBox* memory() const { return memory_; }
    QSpinBox* cores() const { return cores_; }
    PathField* payload() const { return payload_; }
    QCheckBox* serial() const { return serial_; }
    QCheckBox* textConsole() const { return cga_; }
    QCheckBox* vga() const { return vga_; }
    QString problemText() const;

private:
    void check();

    QSpinBox* memory_;
    QSpinBox* cores_;
    PathField* payload_;
    QCheckBox* serial_;
    QCheckBox* cga_;
    QCheckBox* vga_;
    QLabel* problem_;
};
