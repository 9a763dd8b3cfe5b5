// A console tab for a VM's text screen (CGA_VIDEO through its
// CURSES_CONSOLE): the console is opened on the host worker, then read with
// a socket notifier (non-blocking: the guest's updates never stall the
// window) into a CgaScreenWidget; the keys typed there go back as scan
// codes. A strip above the screen says when the VM is paused, stopped or
// freed, and offers the keys a desktop keeps (Ctrl+Alt+Del, Ctrl+Alt+Fn)
// and the zoom.
#pragma once

#include "vm_entry.h"

#include <QByteArray>
#include <QWidget>

class CgaScreenWidget;
class HostSession;
class QLabel;
class QMenu;
class QScrollArea;
class QSocketNotifier;
class QToolButton;

class TextConsoleTab : public QWidget {
    Q_OBJECT
public:
    TextConsoleTab(HostSession* session, const VmEntry& vm, QWidget* parent = nullptr);
    ~TextConsoleTab() override;

    QString vmName() const { return vmName_; }
    CgaScreenWidget* screen() const { return screen_; }
    QString statusText() const;
    bool isOpen() const { return fd_ >= 0; }
    QMenu* sendKeyMenu() const { return sendKeys_; }

    void setVmStatus(VmStatus status);
    // Takes an already open console (tests hand in one end of a socket pair).
    void attach(int fd);
    // Writes scan codes to the guest (queued while the descriptor is full).
    void sendScanCodes(const QByteArray& bytes);

signals:
    void opened();
    void failed(const QString& message);
    void closed();

private:
    void open();
    void readAvailable();
    void writePending();
    void close(const QString& why);
    void updateStatus();
    void updateInput();
    void buildSendKeyMenu();

    HostSession* session_;
    QString vmName_;
    int vmIndex_;
    VmStatus status_;
    int fd_ = -1;
    QSocketNotifier* reader_ = nullptr;
    QSocketNotifier* writer_ = nullptr;
    QByteArray outgoing_;
    QString consoleState_;
    QLabel* statusLabel_;
    QToolButton* sendKeyButton_;
    QMenu* sendKeys_;
    QScrollArea* scroller_;
    CgaScreenWidget* screen_;
};
