// New VM wizard, page 2: where the VM comes from — an existing config XML
// (with its image, or an image to build from it), a built image alone (its
// config is inside it) or a new composition. Every missing or unreadable
// file is named inline, and an image is checked to be one (on a worker).
#pragma once

#include <QWizardPage>

class ImageProbe;
class PathField;
class QLabel;
class QRadioButton;

class WizardSourcePage : public QWizardPage {
    Q_OBJECT
public:
    explicit WizardSourcePage(QWidget* parent = nullptr);

    bool isComplete() const override;
    int nextId() const override;
    bool composing() const;
    QString configPath() const;
    QString imagePath() const; // empty: build one
    QRadioButton* existingButton() const { return existing_; }
    QRadioButton* composeButton() const { return compose_; }
    PathField* configField() const { return config_; }
    PathField* imageField() const { return image_; }
    // What is wrong with the files named (empty: nothing, or nothing named yet).
    QString problemText() const;
    // Uses path, a built image, as the VM's image (the compose page found
    // one given as a payload).
    void useImage(const QString& path);

private:
    QRadioButton* existing_;
    QRadioButton* compose_;
    PathField* config_;
    PathField* image_;
    QLabel* problem_;
    ImageProbe* imageProbe_;

    QString problem() const;
    void check();
};
