#include "wizard_compose_page.h"
#include "guest_image_probe.h"
#include "new_vm_wizard.h"
#include "path_field.h"

#include <QCheckBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

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
    useAsImage_ = new QPushButton(tr("&Use It as the VM's Image"));
    useAsImage_->setObjectName("useAsImage");
    useAsImage_->hide();
    connect(useAsImage_, &QPushButton::clicked, this,
            [this]() { emit useAsImageRequested(payload_->path()); });
    memoryNote_ = new QLabel;
    memoryNote_->setObjectName("memoryNote");
    memoryNote_->setWordWrap(true);
    reserve_ = new QCheckBox;
    reserve_->setObjectName("reserveMemory");
    reserve_->setChecked(true);
    reserve_->hide();
    form->addRow(QString(), memoryNote_);
    form->addRow(QString(), reserve_);
    payloadProbe_ = new ImageProbe(tr("the boot payload"), this);
    connect(payloadProbe_, &ImageProbe::probed, this, &WizardComposePage::check);
    connect(payload_, &PathField::pathChanged, this,
            [this]() { payloadProbe_->probe(payload_->path()); });
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(bootBox);
    layout->addWidget(consoles);
    layout->addWidget(problem_);
    layout->addWidget(useAsImage_, 0, Qt::AlignLeft);
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
    if (problem.isEmpty() && payloadIsImage())
        problem = tr("The boot payload %1 is a built guest image (build_vm's format), not a flat "
                     "binary: use it as the VM's image instead.")
                      .arg(c.bootPayload);
    problem_->setText(untouched ? QString() : problem);
    useAsImage_->setVisible(payloadIsImage());
    checkMemory();
    emit completeChanged();
}

bool WizardComposePage::payloadIsImage() const {
    return payloadBoot_->isChecked() && payloadProbe_->isDone() &&
           payloadProbe_->result().isImage() && payloadProbe_->result().path == payload_->path();
}

bool WizardComposePage::isComplete() const {
    const VmComposition c = composition();
    return c.problem().isEmpty() && missingFile(c).isEmpty() && !payloadIsImage();
}

void WizardComposePage::setHostGuestMemory(int totalMb, int freeMb) {
    hostTotalMb_ = totalMb;
    hostFreeMb_ = freeMb;
    checkMemory();
}

int WizardComposePage::missingGuestMemoryMb() const {
    if (hostTotalMb_ < 0 || hostFreeMb_ < 0)
        return 0;
    return std::max(0, memory_->value() - hostFreeMb_);
}

bool WizardComposePage::reserveMissingMemory() const {
    return missingGuestMemoryMb() > 0 && reserve_->isChecked();
}

void WizardComposePage::checkMemory() {
    const int missing = missingGuestMemoryMb();
    if (hostTotalMb_ < 0) {
        memoryNote_->clear();
    } else if (missing == 0) {
        memoryNote_->setText(
            tr("The host has %1 MB of guest memory free: enough.").arg(hostFreeMb_));
    } else {
        memoryNote_->setText(tr("The host has only %1 MB of guest memory free (of %2 MB "
                                "reserved); this VM needs %3 MB, so activating it would fail.")
                                 .arg(hostFreeMb_)
                                 .arg(hostTotalMb_)
                                 .arg(memory_->value()));
        reserve_->setText(
            tr("&Reserve the missing %1 MB on the host when the wizard finishes").arg(missing));
    }
    reserve_->setVisible(missing > 0);
}

int WizardComposePage::nextId() const {
    return NewVmWizard::SummaryPage;
}
