#include "wizard_compose_page.h"
#include "new_vm_wizard.h"
#include "path_field.h"

#include <QCheckBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

WizardComposePage::WizardComposePage(QWidget* parent) : QWizardPage(parent) {
    setTitle(tr("Compose"));
    setSubTitle(tr("What the VM has. The boot payload is a flat binary or BIOS blob loaded so "
                   "that it ends at 1 MB, where the first instruction runs."));
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
    form->addRow(tr("&Boot payload:"), payload_);

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
    layout->addWidget(consoles);
    layout->addWidget(problem_);
    layout->addStretch(1);
    connect(payload_, &PathField::pathChanged, this, &WizardComposePage::check);
    connect(memory_, &QSpinBox::valueChanged, this, &WizardComposePage::check);
    connect(cores_, &QSpinBox::valueChanged, this, &WizardComposePage::check);
    check();
}

VmComposition WizardComposePage::composition() const {
    VmComposition c;
    c.name = field("name").toString();
    c.memoryMb = memory_->value();
    c.cores = cores_->value();
    c.bootPayload = payload_->path();
    c.serialStream = serial_->isChecked();
    c.textConsole = cga_->isChecked();
    c.vga = vga_->isChecked();
    return c;
}

QString WizardComposePage::problemText() const {
    return problem_->text();
}

void WizardComposePage::check() {
    QString problem = composition().problem();
    const QString payload = payload_->path();
    if (problem.isEmpty() && !QFileInfo(payload).isFile())
        problem = tr("the boot payload %1 does not exist").arg(payload);
    problem_->setText(payload_->edit()->text().isEmpty() ? QString() : problem);
    emit completeChanged();
}

bool WizardComposePage::isComplete() const {
    const VmComposition c = composition();
    return c.problem().isEmpty() && QFileInfo(c.bootPayload).isFile();
}

int WizardComposePage::nextId() const {
    return NewVmWizard::SummaryPage;
}
