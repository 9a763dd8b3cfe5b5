// Asks for the config and image of a VM the host has but the inventory does
// not, so the inventory can adopt it. The image must exist and be a guest
// image, and the memory its config asks for must be the running VM's where
// the host reports it (looked at on a worker; every problem named inline).
#pragma once

#include "guest_image_probe.h"
#include "vm_entry.h"

#include <QDialog>

class ImageProbe;
class PathField;
class QDialogButtonBox;
class QLabel;

class AdoptVmDialog : public QDialog {
    Q_OBJECT
public:
    AdoptVmDialog(const VmEntry& vm, QWidget* parent = nullptr);
    QString configPath() const;
    QString imagePath() const;
    PathField* configField() const { return config_; }
    PathField* imageField() const { return image_; }
    QString problemText() const;
    bool canAccept() const;

    // Why image (as probed) cannot be the image vm was created from; empty
    // when it can.
    static QString mismatch(const VmEntry& vm, const GuestImageProbe& image);

private:
    QString problem() const;
    void check();

    VmEntry vm_;
    PathField* config_;
    PathField* image_;
    QLabel* problem_;
    ImageProbe* probe_;
    QDialogButtonBox* buttons_;
};
