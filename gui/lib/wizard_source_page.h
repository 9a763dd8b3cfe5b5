// New VM wizard, page 2: where the VM comes from — an existing config XML
// (with its image, or an image to build from it) or a new composition.
#pragma once

#include <QWizardPage>

class PathField;
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

private:
    QRadioButton* existing_;
    QRadioButton* compose_;
    PathField* config_;
    PathField* image_;
};
