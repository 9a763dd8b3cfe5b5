// The first, fixed tab: the host's details when no VM is selected, else the
// selected VM's — state, memory, cores, paging, every device (class, id,
// backend), image path and size — read from its config with QtXml on a
// worker thread.
#pragma once

#include "vm_config_summary.h"
#include "vm_entry.h"

#include <QFutureWatcher>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTreeWidget;

class VmDetailsPage : public QWidget {
    Q_OBJECT
public:
    explicit VmDetailsPage(QWidget* parent = nullptr);

    QPlainTextEdit* hostDetails() const { return hostText_; }
    void setHostText(const QString& text);
    // Shows vm (re-reading its config when its paths changed), or the host
    // page when vm is nullptr.
    void showVm(const VmEntry* vm);
    QString shownVm() const { return shown_.name; }
    bool showingVm() const;
    QTreeWidget* deviceList() const { return devices_; }
    // The value shown for a field ("Memory", "Cores", "Paging", "Image", "Image size"...).
    QString field(const QString& name) const;

signals:
    void configLoaded(const QString& name);

private:
    struct Loaded {
        VmConfigSummary config;
        QString error;
        qint64 imageSize = -1;
        QString imageError;
    };
    void fillFields();
    void applyLoaded();

    QStackedWidget* stack_;
    QPlainTextEdit* hostText_;
    QLabel* title_;
    QHash<QString, QLabel*> fields_;
    QTreeWidget* devices_;
    QLabel* configError_;
    VmEntry shown_;
    bool vmShown_ = false;
    Loaded loaded_;
    QFutureWatcher<Loaded> loader_;
    int generation_ = 0;
};
