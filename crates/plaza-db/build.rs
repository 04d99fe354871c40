// Migrations are embedded at compile time; rebuild when a migration folder is added or edited.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
