// A console tab for one of a VM's character streams (a CHAR_STREAM device
// such as "com1"): the stream is opened on the host worker, then read with a
// socket notifier (non-blocking, so the guest's output never stalls the
// window) into a TerminalWidget; keys go back to the stream. A strip above
// the terminal says when the VM is paused or stopped.
#pragma once

#include "vm_entry.h"

#include <QByteArray>
#include <QWidget>

class HostSession;
class QLabel;
class QSocketNotifier;
class TerminalWidget;

class StreamConsoleTab : public QWidget {
    Q_OBJECT
public:
    StreamConsoleTab(HostSession* session, const VmEntry& vm, const QString& stream,
                     QWidget* parent = nullptr);
    ~StreamConsoleTab() override;

    QString vmName() const { return vmName_; }
    QString streamName() const { return stream_; }
    TerminalWidget* terminal() const { return terminal_; }
    QString statusText() const;
    bool isOpen() const { return fd_ >= 0; }

    void setVmStatus(VmStatus status);
    // Takes an already open stream (tests hand in one end of a socket pair).
    void attach(int fd);

signals:
    void opened();
    void failed(const QString& message);
    void closed();

private:
    void open();
    void readAvailable();
    void writePending();
    void send(const QByteArray& bytes);
    void close(const QString& why);
    void updateStatus();

    HostSession* session_;
    QString vmName_;
    int vmIndex_;
    QString stream_;
    VmStatus status_;
    int fd_ = -1;
    QSocketNotifier* reader_ = nullptr;
    QSocketNotifier* writer_ = nullptr;
    QByteArray outgoing_;
    QString streamState_;
    QLabel* status_Label_;
    TerminalWidget* terminal_;
};
