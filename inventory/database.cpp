#include "database.h"

#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <random>
#include <thread>

namespace inventory {

// --- Statement -------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_error_(other.bind_error_) {
    other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        db_ = other.db_;
        stmt_ = other.stmt_;
        bind_error_ = other.bind_error_;
        other.stmt_ = nullptr;
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
    int rc =
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK && bind_error_ == 0)
        bind_error_ = rc;
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK && bind_error_ == 0)
        bind_error_ = rc;
    return *this;
}

Statement& Statement::bind_null(int index) {
    int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK && bind_error_ == 0)
        bind_error_ = rc;
    return *this;
}

Result<bool> Statement::step() {
    if (bind_error_ != 0)
        return db_->failure(
            "cannot bind a parameter of \"" + std::string(sqlite3_sql(stmt_)) + "\"", bind_error_);
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return db_->failure("statement failed", rc);
}

Result<Ok> Statement::run() {
    while (TRY(step())) {
    }
    return Ok{};
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    bind_error_ = 0;
}

std::string Statement::text(int column) const {
    const auto* bytes = sqlite3_column_text(stmt_, column);
    if (!bytes)
        return {};
    return std::string(reinterpret_cast<const char*>(bytes),
                       size_t(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// --- Transaction and Savepoint ----------------------------------------------

Transaction::~Transaction() {
    if (db_)
        (void)db_->execute("ROLLBACK");
}

Result<Ok> Transaction::commit() {
    auto done = db_->execute("COMMIT");
    if (done)
        db_ = nullptr; // committed: nothing left to roll back
    return done;
}

Savepoint::~Savepoint() {
    if (db_)
        (void)db_->execute("ROLLBACK TO item; RELEASE item");
}

Result<Ok> Savepoint::release() {
    auto done = db_->execute("RELEASE item");
    if (done)
        db_ = nullptr;
    return done;
}

// --- Database ----------------------------------------------------------------

// SQLite's own busy timeout sleeps longer and longer between tries, and a
// process writing one transaction after another frees the write lock only
// for microseconds between them, so a waiting writer can starve until it
// times out. This handler retries every few hundred microseconds, with
// jitter so that waiters do not keep colliding, until kBusyTimeoutMs have
// passed since the wait began.
struct Database::BusyWait {
    std::chrono::steady_clock::time_point started;
    std::minstd_rand jitter{std::random_device{}()};

    static int retry(void* context, int attempts) {
        auto* wait = static_cast<BusyWait*>(context);
        const auto now = std::chrono::steady_clock::now();
        if (attempts == 0)
            wait->started = now;
        else if (now - wait->started >= std::chrono::milliseconds(kBusyTimeoutMs))
            return 0; // give up: the caller reports SQLITE_BUSY
        std::this_thread::sleep_for(std::chrono::microseconds(100 + wait->jitter() % 900));
        return 1;
    }
};

Database::Database(sqlite3* handle, std::string path)
    : handle_(handle), path_(std::move(path)), busy_wait_(std::make_unique<BusyWait>()) {}

namespace {

// Switching to WAL needs a moment of exclusive access; when another process
// is creating the same new database at that moment SQLite reports busy
// without calling the busy handler, so wait here the same way it would.
int set_wal_mode(sqlite3* handle, std::string& mode) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(Database::kBusyTimeoutMs);
    for (;;) {
        sqlite3_stmt* stmt = nullptr;
        int rc = sqlite3_prepare_v2(handle, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(stmt);
            if (rc == SQLITE_ROW) {
                mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
                rc = SQLITE_OK;
            }
        }
        sqlite3_finalize(stmt);
        if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
            return rc;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

} // namespace

Result<Database> Database::open(const std::string& path) {
    sqlite3* handle = nullptr;
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE;
    int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
    if (!handle)
        return Error{ENOMEM, "inventory " + path + ": cannot open: out of memory"};
    Database db(handle, path);
    if (rc != SQLITE_OK)
        return db.failure("cannot open", rc);
    sqlite3_busy_handler(handle, &BusyWait::retry, db.busy_wait_.get());

    std::string mode;
    rc = set_wal_mode(handle, mode);
    if (rc != SQLITE_OK)
        return db.failure("cannot switch to write-ahead logging", rc);
    if (mode != "wal")
        return Error{EIO, "inventory " + path +
                              ": the file system does not support SQLite's "
                              "write-ahead log (journal mode stayed '" +
                              mode + "'); keep the inventory on a local disk"};
    // FULL: a change is on disk when the call returns, even across a power cut.
    TRY(db.execute("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL"));
    return db;
}

Database::Database(Database&& other) noexcept
    : handle_(other.handle_), path_(std::move(other.path_)),
      busy_wait_(std::move(other.busy_wait_)) {
    other.handle_ = nullptr;
}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        close();
        handle_ = other.handle_;
        path_ = std::move(other.path_);
        busy_wait_ = std::move(other.busy_wait_);
        other.handle_ = nullptr;
    }
    return *this;
}

Database::~Database() {
    close();
}

void Database::close() {
    if (handle_)
        sqlite3_close_v2(handle_);
    handle_ = nullptr;
}

Result<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(handle_, sql.data(), int(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK)
        return failure("cannot prepare \"" + std::string(sql) + "\"", rc);
    return Statement(*this, stmt);
}

Result<Ok> Database::execute(const char* sql) {
    int rc = sqlite3_exec(handle_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return failure(std::string("cannot run \"") + sql + "\"", rc);
    return Ok{};
}

Result<Transaction> Database::begin_write() {
    TRY(execute("BEGIN IMMEDIATE"));
    return Transaction(*this);
}

Result<Savepoint> Database::savepoint() {
    TRY(execute("SAVEPOINT item"));
    return Savepoint(*this);
}

int Database::last_error_code() const {
    return sqlite3_errcode(handle_) & 0xff;
}

Error Database::failure(const std::string& what) const {
    return failure(what, sqlite3_extended_errcode(handle_));
}

Error Database::failure(const std::string& what, int sqlite_code) const {
    const char* detail = handle_ && sqlite3_extended_errcode(handle_) == sqlite_code
                             ? sqlite3_errmsg(handle_)
                             : sqlite3_errstr(sqlite_code);
    std::string message = "inventory " + path_ + ": " + what + ": " + detail;
    int errnum = EIO;
    switch (sqlite_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        errnum = EBUSY;
        message += " (another process held the inventory for more than " +
                   std::to_string(kBusyTimeoutMs / 1000) + " s; try again)";
        break;
    case SQLITE_FULL:
        errnum = ENOSPC;
        message += " (free some disk space)";
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        errnum = EACCES;
        message += " (check that you may write the file and its directory)";
        break;
    case SQLITE_CANTOPEN:
        errnum = EACCES;
        message += " (check that the directory exists and you may write it)";
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        message += " (the file is damaged or not a Palacios inventory; move it aside to start a "
                   "new one)";
        break;
    case SQLITE_CONSTRAINT:
        errnum = EINVAL;
        break;
    case SQLITE_NOMEM:
        errnum = ENOMEM;
        break;
    default:
        break;
    }
    return Error{errnum, message};
}

} // namespace inventory
