use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
pub struct EventRequest {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    /// The object as it was after the change, in the API version the event
    /// was created with: parse it with the matching model, tolerantly.
    pub object: Value,
    #[serde(default)]
    pub previous_attributes: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created: i64,
    #[serde(default)]
    pub livemode: bool,
    #[serde(default)]
    pub api_version: Option<String>,
    pub data: EventData,
    /// Older API versions sent the request id as a plain string.
    #[serde(default)]
    pub request: Option<Value>,
}

impl Event {
    /// The changed object's id.
    pub fn object_id(&self) -> Option<&str> {
        self.data.object.get("id").and_then(Value::as_str)
    }

    /// The changed object's type (`payment_intent`, `charge`…).
    pub fn object_type(&self) -> Option<&str> {
        self.data.object.get("object").and_then(Value::as_str)
    }
}
