// Qt Test checks for the inventory's Result values: a failure shows the
// Error's own message.
#pragma once

#include <QString>
#include <QtTest>

#include <utility>

// Fails the test, showing the error, unless result is ok.
#define QVERIFY_OK(result)                                                                         \
    do {                                                                                           \
        const auto& checked_ = (result);                                                           \
        if (!checked_.ok())                                                                        \
            QFAIL(qPrintable(QString::fromStdString(checked_.error().message)));                   \
    } while (0)

// Evaluates expr, fails the test unless it is ok, and moves its value into name.
#define TAKE_OK(name, expr)                                                                        \
    auto name##_result_ = (expr);                                                                  \
    QVERIFY_OK(name##_result_);                                                                    \
    auto name = std::move(name##_result_.value())

// Fails the test unless result failed with expected_errno and a message containing text.
#define QVERIFY_FAILS(result, expected_errno, text)                                                \
    do {                                                                                           \
        const auto& checked_ = (result);                                                           \
        QVERIFY2(!checked_.ok(), "expected a failure, got success");                               \
        const QString message_ = QString::fromStdString(checked_.error().message);                 \
        QVERIFY2(message_.contains(QStringLiteral(text)), qPrintable(message_));                   \
        QCOMPARE(checked_.error().errnum, (expected_errno));                                       \
    } while (0)
