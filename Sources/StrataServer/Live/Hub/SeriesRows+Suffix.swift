import StrataCore

extension SeriesRows {
    /// The last `count` rows that `formatter` would send, as rows of their own.
    func suffix(_ count: Int, formatter: SeriesFormatter) -> SeriesRows {
        let picks = Array(formatter.selectedRows(self).suffix(count))
        var out = SeriesRows(key: key)
        out.timestamps = picks.map { timestamps[$0] }
        for (name, column) in columns { out.columns[name] = column.gathered(picks) }
        return out
    }
}
