// diesel's view of the tables; one schema serves both backends (text ids, UTC timestamps).

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
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

diesel::table! {
    audit_links (position) {
        position -> BigInt,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    audit_pending (seq) {
        seq -> BigInt,
    }
}

diesel::table! {
    partners (id) {
        id -> Text,
        name -> Text,
        email -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        on_price_plan -> Bool,
        support_email -> Nullable<Text>,
        powered_by_url -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        account_kind -> Text,
        account_id -> Text,
        role -> Text,
        name -> Text,
        email -> Text,
        logon -> Text,
        active -> Bool,
        password_hash -> Nullable<Text>,
        totp_secret -> Nullable<Text>,
        totp_enrolled_at -> Nullable<Timestamp>,
        totp_last_step -> Nullable<BigInt>,
        totp_pending_secret -> Nullable<Text>,
        notification_frequency -> Text,
        notification_categories -> Text,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_tokens (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        refresh_token_hash -> Text,
        created_at -> Timestamp,
        authenticated_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        acting_customer_id -> Nullable<Text>,
        grant_id -> Nullable<Text>,
        parent_session_id -> Nullable<Text>,
    }
}

diesel::table! {
    used_refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        used_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (seq) {
        seq -> BigInt,
        id -> Text,
        created_at -> Timestamp,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    catalogue_items (kind, code) {
        kind -> Text,
        code -> Text,
        label -> Text,
        active -> Bool,
        position -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    partner_images (partner_id, slot) {
        partner_id -> Text,
        slot -> Text,
        content_type -> Text,
        bytes -> Binary,
        width -> Integer,
        height -> Integer,
        sha256 -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    customers (id) {
        id -> Text,
        partner_id -> Text,
        #[sql_name = "ref"]
        reference -> Text,
        name -> Text,
        active -> Bool,
        website -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        termset -> Text,
        product_plan -> Nullable<Text>,
        add_ons -> Text,
        sector -> Nullable<Text>,
        status -> Integer,
        requires_access_permission -> Bool,
        iframe_embedding -> Bool,
        iframe_domains -> Text,
        membership_end_date -> Nullable<Date>,
        locations -> Nullable<Integer>,
        account_type -> Text,
        billing_recipient -> Nullable<Text>,
        compliance_percent -> Nullable<Integer>,
        workers -> Nullable<Integer>,
        licences -> Text,
        licensed_products -> Text,
        next_renewal_date -> Nullable<Date>,
        account_state -> Text,
        last_login_at -> Nullable<Timestamp>,
        entity_count -> Integer,
        entity_counts -> Text,
        user_count -> Integer,
        user_counts -> Text,
        next_entity_number -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        access_permission_locked -> Bool,
        name_lower -> Nullable<Text>,
        ref_lower -> Nullable<Text>,
        website_lower -> Nullable<Text>,
        contact_name_lower -> Nullable<Text>,
        contact_email_lower -> Nullable<Text>,
    }
}

diesel::table! {
    entities (id) {
        id -> Text,
        customer_id -> Text,
        number -> Integer,
        name -> Text,
        entity_type -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    customer_assignments (customer_id, user_id) {
        customer_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    licence_assignments (customer_id, product, user_id) {
        customer_id -> Text,
        product -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(user_tokens -> users (user_id));
diesel::table! {
    access_grants (id) {
        id -> Text,
        partner_id -> Text,
        customer_id -> Text,
        user_id -> Text,
        profile -> Text,
        role -> Text,
        permissions -> Text,
        expires_at -> Nullable<Timestamp>,
        origin -> Text,
        request_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    access_requests (id) {
        id -> Text,
        partner_id -> Text,
        customer_id -> Text,
        user_id -> Text,
        addressed_to -> Nullable<Text>,
        profile -> Text,
        role -> Text,
        permissions -> Text,
        duration_hours -> Nullable<Integer>,
        message -> Nullable<Text>,
        requested_by -> Text,
        requested_at -> Timestamp,
        decision -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_message -> Nullable<Text>,
        grant_id -> Nullable<Text>,
        pending_key -> Nullable<Text>,
    }
}

diesel::table! {
    partner_kit_items (id) {
        id -> Text,
        title -> Text,
        file_name -> Text,
        content_type -> Text,
        bytes -> Binary,
        size -> Integer,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(audit_links -> audit_events (seq));
diesel::joinable!(audit_pending -> audit_events (seq));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(access_grants -> customers (customer_id));
diesel::joinable!(access_requests -> customers (customer_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(used_refresh_tokens -> sessions (session_id));
diesel::joinable!(customers -> partners (partner_id));
diesel::joinable!(entities -> customers (customer_id));
diesel::joinable!(customer_assignments -> customers (customer_id));
diesel::joinable!(licence_assignments -> customers (customer_id));
diesel::joinable!(licence_assignments -> users (user_id));
diesel::joinable!(partner_images -> partners (partner_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_events,
    audit_links,
    audit_pending,
    partners,
    users,
    user_tokens,
    sessions,
    used_refresh_tokens,
    recovery_codes,
    outbox,
    catalogue_items,
    partner_images,
    customers,
    entities,
    customer_assignments,
    licence_assignments,
    access_grants,
    access_requests,
    partner_kit_items,
);
