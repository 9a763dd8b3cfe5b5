// A thin RAII layer over the SQLite C API: one connection (WAL, foreign keys,
// a busy timeout so concurrent writers wait instead of failing), prepared
// statements with bound parameters, and scoped write transactions and
// savepoints that roll back unless committed.
#pragma once

#include "result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace inventory {

using v3ctl::Error;
using v3ctl::Ok;
using v3ctl::Result;

class Database;

class Statement {
public:
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Parameters count from 1. A failed bind is reported by the next step().
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);
    Statement& bind_null(int index);

    // true: a row is ready; false: the statement has finished.
    Result<bool> step();
    // Runs a statement that returns no rows to completion.
    Result<Ok> run();
    // Makes the statement ready to run again with new parameters.
    void reset();

    std::string text(int column) const;
    std::int64_t integer(int column) const;
    bool is_null(int column) const;

private:
    friend class Database;
    Statement(Database& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}

    Database* db_;
    sqlite3_stmt* stmt_;
    int bind_error_ = 0;
};

// An open BEGIN IMMEDIATE transaction: the write lock is taken up front, so
// two writers never deadlock upgrading a read lock. Rolled back on
// destruction unless commit() succeeded.
class Transaction {
public:
    Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    ~Transaction();

    Result<Ok> commit();

private:
    friend class Database;
    explicit Transaction(Database& db) : db_(&db) {}
    Database* db_;
};

// A savepoint inside a transaction: lets one item of a batch fail without
// losing the others. Rolled back to on destruction unless released.
class Savepoint {
public:
    Savepoint(Savepoint&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    Savepoint& operator=(Savepoint&&) = delete;
    Savepoint(const Savepoint&) = delete;
    ~Savepoint();

    Result<Ok> release();

private:
    friend class Database;
    explicit Savepoint(Database& db) : db_(&db) {}
    Database* db_;
};

class Database {
public:
    // How long a writer waits for another process's transaction to finish.
    static constexpr int kBusyTimeoutMs = 5000;

    // Opens (creating if needed) the database file at path in WAL mode with
    // foreign keys on. The parent directory must exist.
    static Result<Database> open(const std::string& path);

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    Result<Statement> prepare(std::string_view sql);
    // Runs SQL without parameters (schema, pragmas); may hold several statements.
    Result<Ok> execute(const char* sql);

    Result<Transaction> begin_write();
    Result<Savepoint> savepoint();

    // An Error for the last failed call on this connection: "inventory PATH:
    // WHAT: SQLite's message", with an errno and a hint for the usual causes.
    Error failure(const std::string& what) const;
    Error failure(const std::string& what, int sqlite_code) const;

    const std::string& path() const { return path_; }
    // The primary result code of the last failed call (SQLITE_CONSTRAINT...).
    int last_error_code() const;

private:
    struct BusyWait; // the busy handler and its clock (see database.cpp)

    Database(sqlite3* handle, std::string path);
    void close();

    sqlite3* handle_;
    std::string path_;
    std::unique_ptr<BusyWait> busy_wait_; // on the heap: SQLite keeps a pointer to it
};

} // namespace inventory
