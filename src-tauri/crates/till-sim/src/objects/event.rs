use serde_json::{Value, json};

/// What an event carries.
#[derive(Debug, Clone)]
pub enum EventObject {
    /// The object as it was right after the change, as compact JSON text (a
    /// tree per event would cost several times the memory).
    Snapshot(Box<str>),
    /// Seeded history: the object is rendered as it is now, when listed.
    /// A million payments' events would not fit in memory otherwise.
    Current { object: &'static str, id: Box<str> },
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub created: i64,
    /// Listed from then on (a delayed event arrives after newer ones).
    pub visible_from: i64,
    pub livemode: bool,
    pub kind: &'static str,
    pub object: EventObject,
    pub previous_attributes: Option<Value>,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

impl Event {
    /// `object` is the rendered object (see [`EventObject`]).
    pub fn to_json(&self, object: Value) -> Value {
        let mut data = json!({ "object": object });
        if let Some(previous) = &self.previous_attributes {
            data["previous_attributes"] = previous.clone();
        }
        json!({
            "id": self.id,
            "object": "event",
            "api_version": crate::API_VERSION,
            "created": self.created,
            "data": data,
            "livemode": self.livemode,
            "pending_webhooks": 0,
            "request": { "id": self.request_id, "idempotency_key": self.idempotency_key },
            "type": self.kind,
        })
    }
}
