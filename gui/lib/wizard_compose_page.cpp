#include "wizard_compose_page.h"
#include "new_vm_wizard.h"
#include "path_field.h"

#include <QCheckBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

WizardComposePage::WizardComposePage(QWidget* parent) : QWizardPage(parent) {
    setTitle(tr("Compose"));
    setSubTitle(tr("What the VM has and what it boots: a flat binary or BIOS blob loaded so "
                   "that it ends at 1 MB, where the first instruction runs, or a Linux kernel "
                   "booted directly (no firmware)."));
    memory_ = new QSpinBox;
    memory_->setObjectName("memoryMb");
    memory_->setRange(1, 65536);
    memory_->setValue(64);
    memory_->setSuffix(tr(" MB"));
    cores_ = new QSpinBox;
    cores_->setObjectName("cores");
    cores_->setRange(1, 64);
    cores_->setValue(1);
    payload_ = new PathField("bootPayload", tr("Flat binaries (*.bin *.rom);;All files (*)"));
    auto* form = new QFormLayout;
    form->addRow(tr("&Memory:"), memory_);
    form->addRow(tr("C&ores:"), cores_);

    auto* bootBox = new QGroupBox(tr("Boot"));
    payloadBoot_ = new QRadioButton(tr("Boot &payload (flat binary or BIOS image)"));
    payloadBoot_->setObjectName("payloadBoot");
    payloadBoot_->setChecked(true);
    linuxBoot_ = new QRadioButton(tr("Boot a &Linux kernel directly"));
    linuxBoot_->setObjectName("linuxBoot");
    kernel_ = new PathField("linuxKernel", tr("Linux kernels (vmlinuz* bzImage*);;All files (*)"));
    initrd_ = new PathField(
        "linuxInitrd", tr("Initial RAM disks (*.cpio *.cpio.gz *.img initrd*);;All files (*)"));
    cmdline_ = new QLineEdit(QStringLiteral("console=ttyS0"));
    cmdline_->setObjectName("linuxCmdline");
    cmdline_->setToolTip(tr("console=ttyS0 puts the kernel's console and the shell on COM1, "
                            "the serial stream tab"));
    auto* bootForm = new QFormLayout(bootBox);
    bootForm->addRow(payloadBoot_);
    bootForm->addRow(tr("Boot pa&yload:"), payload_);
    bootForm->addRow(linuxBoot_);
    bootForm->addRow(tr("&Kernel (bzImage):"), kernel_);
    bootForm->addRow(tr("&Initrd (optional):"), initrd_);
    bootForm->addRow(tr("Command &line:"), cmdline_);

    auto* consoles = new QGroupBox(tr("Consoles"));
    serial_ = new QCheckBox(tr("&Serial stream (COM1 as host stream \"com1\": a terminal tab)"));
    serial_->setObjectName("serialStream");
    serial_->setChecked(true);
    cga_ = new QCheckBox(tr("CGA &text console (screen and keyboard)"));
    cga_->setObjectName("textConsole");
    vga_ = new QCheckBox(tr("&VGA framebuffer (VNC view)"));
    vga_->setObjectName("vga");
    auto* consoleLayout = new QVBoxLayout(consoles);
    consoleLayout->addWidget(serial_);
    consoleLayout->addWidget(cga_);
    consoleLayout->addWidget(vga_);

    problem_ = new QLabel;
    problem_->setObjectName("composeProblem");
    problem_->setWordWrap(true);
    problem_->setStyleSheet("color: #b3261e");
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(bootBox);
    layout->addWidget(consoles);
    layout->addWidget(problem_);
    layout->addStretch(1);
    connect(payload_, &PathField::pathChanged, this, &WizardComposePage::check);
    connect(kernel_, &PathField::pathChanged, this, &WizardComposePage::check);
    connect(initrd_, &PathField::pathChanged, this, &WizardComposePage::check);
    connect(cmdline_, &QLineEdit::textChanged, this, &WizardComposePage::check);
    connect(linuxBoot_, &QRadioButton::toggled, this, &WizardComposePage::bootKindChanged);
    bootKindChanged();
    connect(memory_, &QSpinBox::valueChanged, this, &WizardComposePage::check);
    connect(cores_, &QSpinBox::valueChanged, this, &WizardComposePage::check);
    check();
}

VmComposition WizardComposePage::composition() const {
    VmComposition c;
    c.name = field("name").toString();
    c.memoryMb = memory_->value();
    c.cores = cores_->value();
    c.boot =
        linuxBoot_->isChecked() ? VmComposition::Boot::LinuxKernel : VmComposition::Boot::Payload;
    c.bootPayload = payload_->path();
    c.linuxKernel = kernel_->path();
    c.linuxInitrd = initrd_->path();
    c.linuxCmdline = cmdline_->text();
    c.serialStream = serial_->isChecked();
    c.textConsole = cga_->isChecked();
    c.vga = vga_->isChecked();
    return c;
}

QString WizardComposePage::problemText() const {
    return problem_->text();
}

void WizardComposePage::bootKindChanged() {
    const bool direct = linuxBoot_->isChecked();
    payload_->setEnabled(!direct);
    kernel_->setEnabled(direct);
    initrd_->setEnabled(direct);
    cmdline_->setEnabled(direct);
    // A Linux kernel needs room to decompress itself (Debian's wants about
    // 80 MB from 16 MB on); a ROM's 64 MB default would only be refused later.
    if (direct && memory_->value() < 256)
        memory_->setValue(256);
    check();
}

// What is missing on disk for the composition (empty if nothing).
static QString missingFile(const VmComposition& c) {
    auto tr = [](const char* s) { return WizardComposePage::tr(s); };
    if (c.boot == VmComposition::Boot::LinuxKernel) {
        if (!QFileInfo(c.linuxKernel).isFile())
            return tr("the kernel %1 does not exist").arg(c.linuxKernel);
        if (!c.linuxInitrd.isEmpty() && !QFileInfo(c.linuxInitrd).isFile())
            return tr("the initrd %1 does not exist").arg(c.linuxInitrd);
        return {};
    }
    if (!QFileInfo(c.bootPayload).isFile())
        return tr("the boot payload %1 does not exist").arg(c.bootPayload);
    return {};
}

void WizardComposePage::check() {
    const VmComposition c = composition();
    QString problem = c.problem();
    if (problem.isEmpty())
        problem = missingFile(c);
    // Nothing typed yet is not a problem worth a red line.
    const bool untouched = c.boot == VmComposition::Boot::LinuxKernel
                               ? kernel_->edit()->text().isEmpty()
                               : payload_->edit()->text().isEmpty();
    problem_->setText(untouched ? QString() : problem);
    emit completeChanged();
}

bool WizardComposePage::isComplete() const {
    const VmComposition c = composition();
    return c.problem().isEmpty() && missingFile(c).isEmpty();
}

int WizardComposePage::nextId() const {
    return NewVmWizard::SummaryPage;
}
