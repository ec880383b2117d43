//! One method per endpoint. Money movements (capture, cancel, refund,
//! checkout create and expire) take an [`Idempotency`] from the caller.

use futures_util::Stream;

use crate::client::{Idempotency, StripeClient};
use crate::error::StripeError;
use crate::form::Form;
use crate::models::{
    Account, Balance, Charge, CheckoutSession, Customer, Event, LineItem, List, PaymentIntent,
    Price, Product, Raw, Refund, SearchResult,
};
use crate::requests::{
    CancelPaymentIntent, CapturePaymentIntent, CreateCheckoutSession, CreateCustomer,
    CreatePaymentIntent, CreatePrice, CreateProduct, CreateRefund, CreatedRange, ListCharges,
    ListCheckoutSessions, ListCustomers, ListEvents, ListPaymentIntents, ListPrices, ListRefunds,
    SearchPaymentIntents, UpdatePaymentIntent,
};

type Result<T> = std::result::Result<T, StripeError>;

/// One page of a list: at most `limit` (1–100) objects after `starting_after`.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub limit: Option<u8>,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
}

impl Page {
    pub fn first(limit: u8) -> Self {
        Self {
            limit: Some(limit),
            ..Self::default()
        }
    }

    pub fn after(limit: u8, id: impl Into<String>) -> Self {
        Self {
            limit: Some(limit),
            starting_after: Some(id.into()),
            ending_before: None,
        }
    }

    pub fn apply(&self, form: Form) -> Form {
        form.maybe("limit", self.limit)
            .maybe("starting_after", self.starting_after.as_ref())
            .maybe("ending_before", self.ending_before.as_ref())
    }
}

fn expand(paths: &[&str]) -> Form {
    Form::new().expand(paths)
}

impl StripeClient {
    pub async fn account(&self) -> Result<Raw<Account>> {
        self.get("/v1/account", Form::new()).await
    }

    pub async fn balance(&self) -> Result<Raw<Balance>> {
        self.get("/v1/balance", Form::new()).await
    }

    // PaymentIntents.

    pub async fn create_payment_intent(
        &self,
        request: &CreatePaymentIntent,
        idempotency: Idempotency,
    ) -> Result<Raw<PaymentIntent>> {
        self.post("/v1/payment_intents", request.form(), idempotency, true)
            .await
    }

    pub async fn retrieve_payment_intent(
        &self,
        id: &str,
        expand_paths: &[&str],
    ) -> Result<Raw<PaymentIntent>> {
        self.get(&format!("/v1/payment_intents/{id}"), expand(expand_paths))
            .await
    }

    pub async fn update_payment_intent(
        &self,
        id: &str,
        request: &UpdatePaymentIntent,
    ) -> Result<Raw<PaymentIntent>> {
        self.post(
            &format!("/v1/payment_intents/{id}"),
            request.form(),
            Idempotency::Auto,
            false,
        )
        .await
    }

    pub async fn confirm_payment_intent(
        &self,
        id: &str,
        payment_method: Option<&str>,
        idempotency: Idempotency,
    ) -> Result<Raw<PaymentIntent>> {
        let form = Form::new().maybe("payment_method", payment_method);
        self.post(
            &format!("/v1/payment_intents/{id}/confirm"),
            form,
            idempotency,
            false,
        )
        .await
    }

    /// Captures all or part of a hold; what is not captured is released.
    pub async fn capture_payment_intent(
        &self,
        id: &str,
        request: &CapturePaymentIntent,
        idempotency: Idempotency,
    ) -> Result<Raw<PaymentIntent>> {
        self.post(
            &format!("/v1/payment_intents/{id}/capture"),
            request.form(),
            idempotency,
            true,
        )
        .await
    }

    /// Cancels; on a hold, releases it. Stripe's cancel takes no metadata,
    /// so an operation is recognised afterwards by the intent's state.
    pub async fn cancel_payment_intent(
        &self,
        id: &str,
        request: &CancelPaymentIntent,
        idempotency: Idempotency,
    ) -> Result<Raw<PaymentIntent>> {
        self.post(
            &format!("/v1/payment_intents/{id}/cancel"),
            request.form(),
            idempotency,
            false,
        )
        .await
    }

    pub async fn list_payment_intents(
        &self,
        request: &ListPaymentIntents,
        page: &Page,
    ) -> Result<List<Raw<PaymentIntent>>> {
        self.get("/v1/payment_intents", page.apply(request.form()))
            .await
    }

    pub fn all_payment_intents(
        &self,
        request: &ListPaymentIntents,
    ) -> impl Stream<Item = Result<Raw<PaymentIntent>>> + Send + 'static {
        self.stream("/v1/payment_intents".to_owned(), request.form())
    }

    pub async fn search_payment_intents(
        &self,
        request: &SearchPaymentIntents,
    ) -> Result<SearchResult<Raw<PaymentIntent>>> {
        self.get("/v1/payment_intents/search", request.form()).await
    }

    // Charges.

    pub async fn retrieve_charge(&self, id: &str, expand_paths: &[&str]) -> Result<Raw<Charge>> {
        self.get(&format!("/v1/charges/{id}"), expand(expand_paths))
            .await
    }

    pub async fn list_charges(
        &self,
        request: &ListCharges,
        page: &Page,
    ) -> Result<List<Raw<Charge>>> {
        self.get("/v1/charges", page.apply(request.form())).await
    }

    pub fn all_charges(
        &self,
        request: &ListCharges,
    ) -> impl Stream<Item = Result<Raw<Charge>>> + Send + 'static {
        self.stream("/v1/charges".to_owned(), request.form())
    }

    // Refunds.

    pub async fn create_refund(
        &self,
        request: &CreateRefund,
        idempotency: Idempotency,
    ) -> Result<Raw<Refund>> {
        self.post("/v1/refunds", request.form(), idempotency, true)
            .await
    }

    pub async fn retrieve_refund(&self, id: &str) -> Result<Raw<Refund>> {
        self.get(&format!("/v1/refunds/{id}"), Form::new()).await
    }

    pub async fn list_refunds(
        &self,
        request: &ListRefunds,
        page: &Page,
    ) -> Result<List<Raw<Refund>>> {
        self.get("/v1/refunds", page.apply(request.form())).await
    }

    pub fn all_refunds(
        &self,
        request: &ListRefunds,
    ) -> impl Stream<Item = Result<Raw<Refund>>> + Send + 'static {
        self.stream("/v1/refunds".to_owned(), request.form())
    }

    // Checkout Sessions.

    pub async fn create_checkout_session(
        &self,
        request: &CreateCheckoutSession,
        idempotency: Idempotency,
    ) -> Result<Raw<CheckoutSession>> {
        self.post("/v1/checkout/sessions", request.form(), idempotency, true)
            .await
    }

    pub async fn retrieve_checkout_session(
        &self,
        id: &str,
        expand_paths: &[&str],
    ) -> Result<Raw<CheckoutSession>> {
        self.get(&format!("/v1/checkout/sessions/{id}"), expand(expand_paths))
            .await
    }

    /// Sets (or, with an empty value, removes) metadata on a session. An
    /// operation newer than the 2023-08-16 spec: see the crate docs.
    pub async fn update_checkout_session_metadata(
        &self,
        id: &str,
        metadata: &crate::models::Metadata,
    ) -> Result<Raw<CheckoutSession>> {
        self.post(
            &format!("/v1/checkout/sessions/{id}"),
            Form::new().metadata(metadata),
            Idempotency::Auto,
            false,
        )
        .await
    }

    /// Expires an open session. Takes no metadata, like cancel.
    pub async fn expire_checkout_session(
        &self,
        id: &str,
        idempotency: Idempotency,
    ) -> Result<Raw<CheckoutSession>> {
        self.post(
            &format!("/v1/checkout/sessions/{id}/expire"),
            Form::new(),
            idempotency,
            false,
        )
        .await
    }

    pub async fn list_checkout_sessions(
        &self,
        request: &ListCheckoutSessions,
        page: &Page,
    ) -> Result<List<Raw<CheckoutSession>>> {
        self.get("/v1/checkout/sessions", page.apply(request.form()))
            .await
    }

    pub fn all_checkout_sessions(
        &self,
        request: &ListCheckoutSessions,
    ) -> impl Stream<Item = Result<Raw<CheckoutSession>>> + Send + 'static {
        self.stream("/v1/checkout/sessions".to_owned(), request.form())
    }

    pub async fn list_checkout_line_items(
        &self,
        session: &str,
        page: &Page,
    ) -> Result<List<Raw<LineItem>>> {
        self.get(
            &format!("/v1/checkout/sessions/{session}/line_items"),
            page.apply(Form::new()),
        )
        .await
    }

    // Customers and the catalog.

    pub async fn create_customer(&self, request: &CreateCustomer) -> Result<Raw<Customer>> {
        self.post("/v1/customers", request.form(), Idempotency::Auto, false)
            .await
    }

    pub async fn retrieve_customer(&self, id: &str) -> Result<Raw<Customer>> {
        self.get(&format!("/v1/customers/{id}"), Form::new()).await
    }

    pub async fn list_customers(
        &self,
        request: &ListCustomers,
        page: &Page,
    ) -> Result<List<Raw<Customer>>> {
        self.get("/v1/customers", page.apply(request.form())).await
    }

    pub async fn create_product(&self, request: &CreateProduct) -> Result<Raw<Product>> {
        self.post("/v1/products", request.form(), Idempotency::Auto, false)
            .await
    }

    pub async fn list_products(
        &self,
        active: Option<bool>,
        page: &Page,
    ) -> Result<List<Raw<Product>>> {
        self.get(
            "/v1/products",
            page.apply(Form::new().maybe("active", active)),
        )
        .await
    }

    pub async fn create_price(&self, request: &CreatePrice) -> Result<Raw<Price>> {
        self.post("/v1/prices", request.form(), Idempotency::Auto, false)
            .await
    }

    pub async fn retrieve_price(&self, id: &str) -> Result<Raw<Price>> {
        self.get(&format!("/v1/prices/{id}"), Form::new()).await
    }

    pub async fn list_prices(&self, request: &ListPrices, page: &Page) -> Result<List<Raw<Price>>> {
        self.get("/v1/prices", page.apply(request.form())).await
    }

    // Balance transactions and payouts.

    pub async fn list_balance_transactions(
        &self,
        payout: Option<&str>,
        page: &Page,
    ) -> Result<List<Raw<crate::models::BalanceTransaction>>> {
        self.get(
            "/v1/balance_transactions",
            page.apply(Form::new().maybe("payout", payout)),
        )
        .await
    }

    pub async fn retrieve_balance_transaction(
        &self,
        id: &str,
    ) -> Result<Raw<crate::models::BalanceTransaction>> {
        self.get(&format!("/v1/balance_transactions/{id}"), Form::new())
            .await
    }

    pub async fn list_payouts(&self, page: &Page) -> Result<List<Raw<crate::models::Payout>>> {
        self.get("/v1/payouts", page.apply(Form::new())).await
    }

    pub async fn retrieve_payout(&self, id: &str) -> Result<Raw<crate::models::Payout>> {
        self.get(&format!("/v1/payouts/{id}"), Form::new()).await
    }

    // Disputes.

    pub async fn list_disputes(&self, page: &Page) -> Result<List<Raw<crate::models::Dispute>>> {
        self.get("/v1/disputes", page.apply(Form::new())).await
    }

    pub async fn retrieve_dispute(&self, id: &str) -> Result<Raw<crate::models::Dispute>> {
        self.get(&format!("/v1/disputes/{id}"), Form::new()).await
    }

    /// Every balance transaction, newest first (of one payout when given).
    pub fn all_balance_transactions(
        &self,
        payout: Option<&str>,
    ) -> impl Stream<Item = Result<Raw<crate::models::BalanceTransaction>>> + Send + 'static {
        self.stream(
            "/v1/balance_transactions".to_owned(),
            Form::new().maybe("payout", payout),
        )
    }

    pub fn all_payouts(
        &self,
    ) -> impl Stream<Item = Result<Raw<crate::models::Payout>>> + Send + 'static {
        self.stream("/v1/payouts".to_owned(), Form::new())
    }

    pub fn all_customers(
        &self,
        request: &ListCustomers,
    ) -> impl Stream<Item = Result<Raw<Customer>>> + Send + 'static {
        self.stream("/v1/customers".to_owned(), request.form())
    }

    /// One page of any list endpoint within a `created` range: the sync
    /// engine walks every object type the same way. `extra` adds filters or
    /// expansions (`expand[]=data.line_items`). `T` is the page's item:
    /// `Raw<…>`, or `Item<…>` to read it object by object.
    pub async fn list_created<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        created: Option<CreatedRange>,
        extra: Form,
        page: &Page,
    ) -> Result<List<T>> {
        let mut query = page.apply(extra);
        if let Some(range) = created {
            query = range.apply(query);
        }
        self.get(path, query).await
    }

    // Events.

    pub async fn list_events(&self, request: &ListEvents, page: &Page) -> Result<List<Raw<Event>>> {
        self.get("/v1/events", page.apply(request.form())).await
    }

    pub async fn retrieve_event(&self, id: &str) -> Result<Raw<Event>> {
        self.get(&format!("/v1/events/{id}"), Form::new()).await
    }
}
