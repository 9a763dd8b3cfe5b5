// Asks for the config and image of a VM the host has but the inventory does
// not, so the inventory can adopt it.
#pragma once

#include <QDialog>

class PathField;
class QDialogButtonBox;

class AdoptVmDialog : public QDialog {
    Q_OBJECT
public:
    AdoptVmDialog(const QString& vmName, QWidget* parent = nullptr);
    QString configPath() const;
    QString imagePath() const;

private:
    PathField* config_;
    PathField* image_;
    QDialogButtonBox* buttons_;
};
