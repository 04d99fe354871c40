//! Search texts that must never break a search: query syntax of both databases, unbalanced
//! quotes and brackets, SQL, NUL bytes, very long text, emoji, scripts other than Latin.

/// The corpus; each must answer 200 with results or none.
pub fn hostile_queries() -> Vec<String> {
    let mut queries: Vec<String> = [
        "\"",
        "\"\"",
        "\"unbalanced quote",
        "printer\"",
        "(",
        ")",
        "((printer",
        "printer))",
        "printer AND",
        "AND",
        "OR OR OR",
        "NOT printer",
        "printer NEAR jam",
        "NEAR(printer jam, 2)",
        "NEAR(",
        "*",
        "print*",
        "-printer",
        "- -",
        "^printer",
        "title:printer",
        "body:",
        ":",
        "{title body}: printer",
        "printer & jam | !toner",
        "printer <-> jam",
        "printer:*",
        "'printer'",
        "\\",
        "\\\"",
        "%",
        "_",
        "'; DROP TABLE posts; --",
        "1' OR '1'='1",
        "\") OR 1=1 --",
        "$1",
        "?1",
        "printer\0jam",
        "\0",
        "🖨️ 🔥",
        "🔥printer🔥",
        "打印机卡纸",
        "طابعة",
        "принтер замятие",
        "!!!???...",
        "   ",
        "",
        "\t\n\r",
        "<script>alert(1)</script>",
        "&amp; &lt;",
        "%00%27",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    queries.push("printer ".repeat(1300));
    queries.push("x".repeat(10 * 1024));
    queries.push("\"(".repeat(5000));
    queries
}
