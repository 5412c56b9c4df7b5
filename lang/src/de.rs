//! serde `Deserializer` over [`Value`](crate::value::Value): the engine decodes typed resource
//! specs with `#[derive(Deserialize)]`, and decode errors still point at the user's text.
//! (Being written.)
