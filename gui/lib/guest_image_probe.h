// What a file the user names as an image or a payload is: missing,
// unreadable, a guest image build_vm wrote (its magic; then the memory its
// embedded config asks for), or something else. Reading blocks: read() runs
// on a worker, and ImageProbe does that for a widget and reports by signal.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>

struct GuestImageProbe {
    enum class Kind { None, Missing, Unreadable, Image, NotImage };
    QString path;
    Kind kind = Kind::None;
    QString problem;   // Missing, Unreadable: why, naming the file
    int memoryMb = -1; // Image: the <memory> of its embedded config, -1 when unknown

    bool isImage() const { return kind == Kind::Image; }
    // Blocks (file I/O): call on a worker. what names the file in problem
    // ("the image", "the boot payload").
    static GuestImageProbe read(const QString& path, const QString& what);
    // Whether bytes start with the guest image magic (core/src/config/IMAGE-FORMAT.md).
    static bool hasImageMagic(const QByteArray& head);
};

// Probes one path at a time on a worker: probe() replaces any probe under
// way, and probed() reports only the latest path's answer.
class ImageProbe : public QObject {
    Q_OBJECT
public:
    ImageProbe(QString what, QObject* parent = nullptr);
    void probe(const QString& path);
    const GuestImageProbe& result() const { return result_; }
    // The latest path asked for has its answer.
    bool isDone() const { return result_.path == wanted_; }

signals:
    void probed(const GuestImageProbe& result);

private:
    QString what_;
    QString wanted_;
    GuestImageProbe result_;
};
