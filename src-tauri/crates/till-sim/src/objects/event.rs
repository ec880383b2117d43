use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub created: i64,
    /// Listed from then on (a delayed event arrives after newer ones).
    pub visible_from: i64,
    pub livemode: bool,
    pub kind: &'static str,
    /// The object as it was right after the change.
    pub object: Value,
    pub previous_attributes: Option<Value>,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

impl Event {
    pub fn to_json(&self) -> Value {
        let mut data = json!({ "object": self.object });
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
