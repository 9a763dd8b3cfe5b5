// A path line edit with a Browse... button (used by the wizard and the
// adopt dialog). Relative paths typed in are made absolute.
#pragma once

#include <QWidget>

class QLineEdit;

class PathField : public QWidget {
    Q_OBJECT
public:
    PathField(const QString& objectName, const QString& filter, QWidget* parent = nullptr);
    QLineEdit* edit() const { return edit_; }
    QString path() const; // absolute, or empty
    void setPath(const QString& path);
    // Save mode: Browse asks for a file to create.
    void setSaveMode(bool save) { save_ = save; }

signals:
    void pathChanged();

private:
    QLineEdit* edit_;
    QString filter_;
    bool save_ = false;
};
