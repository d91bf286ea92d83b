//! Small helpers shared by the migration modules.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// `id` big-integer auto-increment primary key and `created_at` (UTC), which every table has.
pub(crate) fn table<T: IntoIden + 'static>(name: T) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(big_pk_auto(Common::Id))
        .col(timestamp_with_time_zone_default_now(Common::CreatedAt))
        .to_owned()
}

#[derive(DeriveIden)]
pub(crate) enum Common {
    Id,
    CreatedAt,
}

/// A foreign key from `table.column` to `to_table.id`.
pub(crate) fn fk<A, B, C>(
    table: A,
    column: B,
    to_table: C,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement
where
    A: IntoIden + 'static,
    B: IntoIden + 'static,
    C: IntoIden + 'static,
{
    ForeignKey::create()
        .from(table, column)
        .to(to_table, Common::Id)
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::NoAction)
        .to_owned()
}

/// A plain (non-unique) index named `name` on `table(columns…)`.
pub(crate) fn index<T, C>(name: &str, table: T, columns: impl IntoIterator<Item = C>) -> IndexCreateStatement
where
    T: IntoIden + 'static,
    C: IntoIndexColumn,
{
    let mut statement = Index::create().name(name).table(table).to_owned();
    for column in columns {
        statement.col(column);
    }
    statement
}

/// Drops tables, newest first. Used by every `down`.
pub(crate) async fn drop_tables<T: IntoIden + 'static>(
    manager: &SchemaManager<'_>,
    tables: impl IntoIterator<Item = T>,
) -> Result<(), DbErr> {
    for table in tables {
        manager.drop_table(Table::drop().table(table).to_owned()).await?;
    }
    Ok(())
}
