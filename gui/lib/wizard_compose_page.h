// New VM wizard, page 3 (when composing): memory, cores, what the VM boots
// (a payload run from the reset vector, or a Linux kernel booted directly
// with an initrd and command line) and the consoles the VM should have.
// A payload that is itself a built image is recognised (on a worker) and
// offered as the VM's image; memory is checked against the host's free
// guest memory, with an offer to reserve what is missing.
#pragma once

#include "vm_xml_composer.h"

#include <QWizardPage>

class ImageProbe;
class PathField;
class QPushButton;
class QCheckBox;
class QLabel;
class QLineEdit;
class QRadioButton;
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
    QRadioButton* payloadBoot() const { return payloadBoot_; }
    QRadioButton* linuxBoot() const { return linuxBoot_; }
    PathField* kernel() const { return kernel_; }
    PathField* initrd() const { return initrd_; }
    QLineEdit* cmdline() const { return cmdline_; }
    QCheckBox* serial() const { return serial_; }
    QCheckBox* textConsole() const { return cga_; }
    QCheckBox* vga() const { return vga_; }
    QString problemText() const;
    // The host's guest memory (MB; total < 0: unknown, no check).
    void setHostGuestMemory(int totalMb, int freeMb);
    // MB the host lacks for this VM's memory (0: enough, or unknown).
    int missingGuestMemoryMb() const;
    // Whether the user asked to reserve the missing memory on Finish.
    bool reserveMissingMemory() const;
    QLabel* memoryNote() const { return memoryNote_; }
    QCheckBox* reserveMemory() const { return reserve_; }
    QPushButton* useAsImageButton() const { return useAsImage_; }

signals:
    // The payload is a built image: the user wants it as the VM's image.
    void useAsImageRequested(const QString& path);

private:
    void check();
    void bootKindChanged();

    QSpinBox* memory_;
    QSpinBox* cores_;
    PathField* payload_;
    QRadioButton* payloadBoot_;
    QRadioButton* linuxBoot_;
    PathField* kernel_;
    PathField* initrd_;
    QLineEdit* cmdline_;
    QCheckBox* serial_;
    QCheckBox* cga_;
    QCheckBox* vga_;
    QLabel* problem_;
    QLabel* memoryNote_;
    QCheckBox* reserve_;
    QPushButton* useAsImage_;
    ImageProbe* payloadProbe_;
    int hostTotalMb_ = -1;
    int hostFreeMb_ = -1;

    bool payloadIsImage() const;
    void checkMemory();
};
