// Scratch (not committed): inspect a URL and print JSON, SQL and unsupported objects.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::args().nth(1).unwrap();
    let what = std::env::args().nth(2).unwrap_or_else(|| "all".into());
    let spec = autogen_pg::ConnectionSpec::parse(&url).unwrap();
    let mut client = spec.connect().await.unwrap();
    let start = std::time::Instant::now();
    let inspection = autogen_introspect::inspect(&mut client, &Default::default())
        .await
        .unwrap();
    eprintln!("inspect took {:?}", start.elapsed());
    if what == "json" || what == "all" {
        print!("{}", inspection.catalog.to_json());
    }
    if what == "sqltime" {
        let s = std::time::Instant::now();
        let sql = inspection.catalog.to_sql();
        eprintln!("to_sql {:?} {}", s.elapsed(), sql.len());
        let s = std::time::Instant::now();
        drop(inspection);
        eprintln!("drop {:?}", s.elapsed());
        return;
    }
    if what == "sql" || what == "all" {
        print!("{}", inspection.catalog.to_sql());
    }
    for group in &inspection.unsupported {
        eprintln!("{}", group.describe(20));
        for o in &group.objects {
            eprintln!("   {} :: {}", o.name, o.fingerprint);
        }
    }
    eprintln!("updates: {:?}", inspection.extension_updates);
}
