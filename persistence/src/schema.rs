// diesel's view of the tables; one schema serves both backends (text ids, UTC timestamps).

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        partner_id -> Nullable<Text>,
        customer_id -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
        acting_user_id -> Nullable<Text>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Text>,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        request_id -> Nullable<Text>,
        source_ip -> Nullable<Text>,
    }
}
