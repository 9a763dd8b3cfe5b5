#include "vm_details_page.h"
#include "icon_factory.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

VmDetailsPage::VmDetailsPage(QWidget* parent) : QWidget(parent) {
    stack_ = new QStackedWidget;
    hostText_ = new QPlainTextEdit;
    hostText_->setObjectName("hostDetails");
    hostText_->setReadOnly(true);
    hostText_->setFrameShape(QFrame::NoFrame);
    hostText_->setPlainText(tr("Not connected."));
    stack_->addWidget(hostText_);

    auto* vmPage = new QWidget;
    auto* vmLayout = new QVBoxLayout(vmPage);
    title_ = new QLabel;
    QFont big = title_->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    title_->setFont(big);
    vmLayout->addWidget(title_);
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight);
    for (const char* name : {"State", "Group", "Device file", "Memory", "Cores", "Paging", "Config",
                             "Image", "Image size", "Streams"}) {
        auto* value = new QLabel;
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        fields_.insert(name, value);
        form->addRow(tr(name) + ":", value);
    }
    vmLayout->addLayout(form);
    configError_ = new QLabel;
    configError_->setObjectName("configError");
    configError_->setWordWrap(true);
    configError_->setStyleSheet("color: #b3261e");
    configError_->hide();
    vmLayout->addWidget(configError_);
    vmLayout->addWidget(new QLabel(tr("<b>Devices</b>")));
    devices_ = new QTreeWidget;
    devices_->setObjectName("deviceList");
    devices_->setRootIsDecorated(false);
    devices_->setAlternatingRowColors(true);
    devices_->setHeaderLabels({tr("Class"), tr("ID"), tr("Backend")});
    devices_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    devices_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    vmLayout->addWidget(devices_, 1);
    stack_->addWidget(vmPage);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(stack_);
    connect(&loader_, &QFutureWatcherBase::finished, this, &VmDetailsPage::applyLoaded);
}

void VmDetailsPage::setHostText(const QString& text) {
    hostText_->setPlainText(text);
}

bool VmDetailsPage::showingVm() const {
    return stack_->currentIndex() == 1;
}

QString VmDetailsPage::field(const QString& name) const {
    QLabel* label = fields_.value(name);
    return label ? label->text() : QString();
}

void VmDetailsPage::showVm(const VmEntry* vm) {
    if (!vm) {
        vmShown_ = false;
        shown_ = VmEntry();
        stack_->setCurrentIndex(0);
        return;
    }
    const bool reload = !vmShown_ || shown_.name != vm->name ||
                        shown_.configPath != vm->configPath || shown_.imagePath != vm->imagePath;
    shown_ = *vm;
    vmShown_ = true;
    stack_->setCurrentIndex(1);
    if (reload) {
        loaded_ = Loaded();
        devices_->clear();
        configError_->hide();
        const QString config = vm->configPath, image = vm->imagePath;
        const int generation = ++generation_;
        loader_.setProperty("generation", generation);
        loader_.setFuture(QtConcurrent::run([config, image]() {
            Loaded out;
            if (!config.isEmpty())
                out.config = VmConfigSummary::read(config, &out.error);
            if (!image.isEmpty()) {
                QFileInfo info(image);
                if (info.exists())
                    out.imageSize = info.size();
                else
                    out.imageError = tr("missing");
            }
            return out;
        }));
    }
    fillFields();
}

void VmDetailsPage::applyLoaded() {
    if (loader_.property("generation").toInt() != generation_ || !vmShown_)
        return;
    loaded_ = loader_.result();
    devices_->clear();
    for (const VmConfigSummary::Device& d : loaded_.config.devices)
        devices_->addTopLevelItem(new QTreeWidgetItem({d.deviceClass, d.id, d.backend}));
    configError_->setVisible(!loaded_.error.isEmpty());
    configError_->setText(loaded_.error);
    fillFields();
    emit configLoaded(shown_.name);
}

void VmDetailsPage::fillFields() {
    const VmEntry& vm = shown_;
    const VmConfigSummary& c = loaded_.config;
    title_->setText(vm.name);
    QString state = vmStatusName(vm.status);
    if (!vm.statusReason.isEmpty())
        state += " — " + vm.statusReason;
    fields_["State"]->setText(state);
    fields_["Group"]->setText(
        vm.group == VmGroup::Active     ? tr("active (in the inventory, on the host)")
        : vm.group == VmGroup::Inactive ? tr("inactive (in the inventory only)")
                                        : tr("not in the inventory (on the host only)"));
    fields_["Device file"]->setText(vm.deviceFile.isEmpty() ? tr("—") : vm.deviceFile);
    const int memory = vm.memoryMb >= 0 ? vm.memoryMb : c.memoryMb;
    fields_["Memory"]->setText(memory >= 0 ? tr("%1 MB").arg(memory) : tr("unknown"));
    const int cores = vm.cores >= 0 ? vm.cores : c.cores;
    fields_["Cores"]->setText(cores >= 0 ? QString::number(cores) : tr("unknown"));
    fields_["Paging"]->setText(c.paging.isEmpty() ? tr("default") : c.paging);
    fields_["Config"]->setText(vm.configPath.isEmpty() ? tr("none recorded") : vm.configPath);
    fields_["Image"]->setText(vm.imagePath.isEmpty() ? tr("none recorded") : vm.imagePath);
    QString size = tr("—");
    if (loaded_.imageSize >= 0)
        size = tr("%1 (%2 bytes)")
                   .arg(QLocale().formattedDataSize(loaded_.imageSize))
                   .arg(loaded_.imageSize);
    else if (!loaded_.imageError.isEmpty())
        size = loaded_.imageError;
    fields_["Image size"]->setText(size);
    fields_["Streams"]->setText(c.streams.isEmpty() ? tr("none") : c.streams.join(", "));
}
