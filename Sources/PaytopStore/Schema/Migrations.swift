/// The store's schema as an ordered list of migrations. A migration, once shipped, is
/// never edited: a change to the schema is a new migration appended here, and
/// `PRAGMA user_version` records how many have run. docs/store.md documents every column.
enum Migrations {
    /// `PRAGMA application_id` of every paytop store: "payt" in ASCII.
    static let applicationID: Int64 = 0x7061_7974

    static let all: [String] = [v1]

    static var latestVersion: Int { all.count }

    static let v1 = """
    CREATE TABLE payment_event (
        checkout_id      TEXT PRIMARY KEY,
        buyer_info       TEXT NOT NULL,
        seller_info      TEXT NOT NULL,
        credit_card_info TEXT NOT NULL,
        is_payment_done  INTEGER NOT NULL DEFAULT 0,
        amount_total     TEXT NOT NULL,
        currency         TEXT NOT NULL,
        order_count      INTEGER NOT NULL,
        outcome          TEXT,
        failure_code     TEXT,
        simulate         TEXT,
        request_hash     TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        done_at          INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE payment_order (
        payment_order_id     TEXT PRIMARY KEY,
        checkout_id          TEXT NOT NULL,
        buyer_account        TEXT NOT NULL,
        seller_account       TEXT NOT NULL,
        amount               TEXT NOT NULL,
        currency             TEXT NOT NULL,
        payment_order_status TEXT NOT NULL
            CHECK (payment_order_status IN ('NOT_STARTED','EXECUTING','SUCCESS','FAILED')),
        ledger_updated       INTEGER NOT NULL DEFAULT 0,
        wallet_updated       INTEGER NOT NULL DEFAULT 0,
        created_at           INTEGER NOT NULL,
        executing_at         INTEGER,
        completed_at         INTEGER,
        updated_at           INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX payment_order_checkout_id ON payment_order (checkout_id);
    CREATE TABLE wallet (
        merchant_id TEXT NOT NULL,
        currency    TEXT NOT NULL,
        balance     TEXT NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (merchant_id, currency)
    ) WITHOUT ROWID;
    CREATE TABLE ledger_entry (
        entry_id         TEXT NOT NULL,
        transaction_id   TEXT NOT NULL,
        account          TEXT NOT NULL,
        direction        TEXT NOT NULL CHECK (direction IN ('debit','credit')),
        amount           TEXT NOT NULL,
        currency         TEXT NOT NULL,
        payment_order_id TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        PRIMARY KEY (payment_order_id, direction)
    ) WITHOUT ROWID;
    CREATE TABLE queue_message (
        message_id        TEXT PRIMARY KEY,
        queue_name        TEXT NOT NULL,
        source_queue      TEXT NOT NULL,
        checkout_id       TEXT NOT NULL,
        body              TEXT NOT NULL,
        attributes        TEXT NOT NULL,
        sent_at           INTEGER NOT NULL,
        visible_at        INTEGER NOT NULL,
        receive_count     INTEGER NOT NULL,
        first_received_at INTEGER,
        moved_at          INTEGER,
        last_error        TEXT
    ) WITHOUT ROWID;
    CREATE INDEX queue_message_queue ON queue_message (queue_name, visible_at);
    CREATE INDEX queue_message_checkout ON queue_message (checkout_id);
    CREATE TABLE psp_charge (
        idempotency_key TEXT PRIMARY KEY,
        psp_reference   TEXT NOT NULL,
        checkout_id     TEXT NOT NULL,
        amount          TEXT NOT NULL,
        currency        TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('SUCCEEDED','DECLINED')),
        decline_code    TEXT,
        requested_at    INTEGER NOT NULL,
        completed_at    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX psp_charge_checkout_id ON psp_charge (checkout_id);
    CREATE TABLE control_command (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        issued_at    INTEGER NOT NULL,
        source       TEXT NOT NULL,
        command      TEXT NOT NULL,
        args         TEXT NOT NULL,
        status       TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending','applied','rejected')),
        applied_at   INTEGER,
        result       TEXT
    );
    CREATE INDEX control_command_pending ON control_command (status, id);
    CREATE TABLE control_event (
        id         INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        source     TEXT NOT NULL,
        command_id INTEGER,
        command    TEXT NOT NULL,
        args       TEXT NOT NULL,
        summary    TEXT NOT NULL
    );
    CREATE TABLE engine_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE run (
        run_id        INTEGER PRIMARY KEY,
        mode          TEXT NOT NULL,
        paytop_version TEXT NOT NULL,
        started_wall  INTEGER NOT NULL,
        heartbeat_wall INTEGER NOT NULL,
        ended_wall    INTEGER,
        engine_start  INTEGER NOT NULL,
        engine_end    INTEGER,
        pid           INTEGER NOT NULL
    );
    """
}
