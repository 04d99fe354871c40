//! The schema, kept by hand for both backends (the test suite runs on both to keep it honest).
#![allow(missing_docs)]

diesel::table! {
    site (id) {
        id -> BigInt,
        domain -> Text,
        name -> Text,
        description -> Nullable<Text>,
        registrations_open -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        public_key -> Nullable<Text>,
        private_key -> Nullable<Text>,
        icon_url -> Nullable<Text>,
        federation_allowlist -> Bool,
    }
}

diesel::table! {
    instances (id) {
        id -> BigInt,
        domain -> Text,
        software -> Nullable<Text>,
        version -> Nullable<Text>,
        blocked -> Bool,
        allowed -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        failure_count -> Integer,
        dead_since -> Nullable<Timestamp>,
        last_success_at -> Nullable<Timestamp>,
        refusal_count -> Integer,
        last_refusal_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    persons (id) {
        id -> BigInt,
        ap_id -> Text,
        instance_id -> BigInt,
        name -> Text,
        display_name -> Nullable<Text>,
        bio_source -> Nullable<Text>,
        bio_html -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        local -> Bool,
        inbox_url -> Text,
        shared_inbox_url -> Nullable<Text>,
        public_key -> Text,
        private_key -> Nullable<Text>,
        bot -> Bool,
        deleted -> Bool,
        created_at -> Timestamp,
        updated_at -> Nullable<Timestamp>,
        fetched_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    local_users (id) {
        id -> BigInt,
        person_id -> BigInt,
        email -> Nullable<Text>,
        password_hash -> Text,
        admin -> Bool,
        staff -> Bool,
        created_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
        email_verified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        local_user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    groups (id) {
        id -> BigInt,
        ap_id -> Text,
        instance_id -> BigInt,
        name -> Text,
        title -> Text,
        description_source -> Nullable<Text>,
        description_html -> Nullable<Text>,
        icon_url -> Nullable<Text>,
        banner_url -> Nullable<Text>,
        local -> Bool,
        inbox_url -> Text,
        shared_inbox_url -> Nullable<Text>,
        followers_url -> Nullable<Text>,
        public_key -> Text,
        private_key -> Nullable<Text>,
        posting_restricted_to_mods -> Bool,
        sensitive -> Bool,
        deleted -> Bool,
        created_at -> Timestamp,
        updated_at -> Nullable<Timestamp>,
        fetched_at -> Nullable<Timestamp>,
        qa -> Bool,
        ideas -> Bool,
    }
}

diesel::table! {
    group_follows (group_id, person_id) {
        group_id -> BigInt,
        person_id -> BigInt,
        pending -> Bool,
        activity_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_moderators (group_id, person_id) {
        group_id -> BigInt,
        person_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_bans (group_id, person_id) {
        group_id -> BigInt,
        person_id -> BigInt,
        reason -> Nullable<Text>,
        banned_by -> Nullable<BigInt>,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        ap_id -> Text,
        group_id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        body_source -> Nullable<Text>,
        body_html -> Text,
        url -> Nullable<Text>,
        local -> Bool,
        locked -> Bool,
        pinned -> Bool,
        removed -> Bool,
        deleted -> Bool,
        upvotes -> BigInt,
        downvotes -> BigInt,
        score -> BigInt,
        comment_count -> BigInt,
        created_at -> Timestamp,
        updated_at -> Nullable<Timestamp>,
        last_activity_at -> Timestamp,
        fetched_at -> Nullable<Timestamp>,
        edited_at -> Nullable<Timestamp>,
        question -> Bool,
        accepted_comment_id -> Nullable<BigInt>,
        accepted_by -> Nullable<BigInt>,
        accepted_at -> Nullable<Timestamp>,
        accepted_officially -> Bool,
        idea_status -> Nullable<Text>,
        idea_note -> Nullable<Text>,
        idea_status_by -> Nullable<BigInt>,
        idea_status_at -> Nullable<Timestamp>,
        live_comments -> BigInt,
        first_reply_at -> Nullable<Timestamp>,
        first_reply_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        ap_id -> Text,
        post_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        author_id -> BigInt,
        depth -> Integer,
        body_source -> Nullable<Text>,
        body_html -> Text,
        local -> Bool,
        distinguished -> Bool,
        removed -> Bool,
        deleted -> Bool,
        upvotes -> BigInt,
        downvotes -> BigInt,
        score -> BigInt,
        created_at -> Timestamp,
        updated_at -> Nullable<Timestamp>,
        fetched_at -> Nullable<Timestamp>,
        edited_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    post_votes (post_id, person_id) {
        post_id -> BigInt,
        person_id -> BigInt,
        score -> SmallInt,
        activity_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comment_votes (comment_id, person_id) {
        comment_id -> BigInt,
        person_id -> BigInt,
        score -> SmallInt,
        activity_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        kind -> Text,
        actor_id -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        payload -> Text,
        created_at -> Timestamp,
        processed_at -> Nullable<Timestamp>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    outgoing_activities (id) {
        id -> BigInt,
        ap_id -> Text,
        actor_ap_id -> Text,
        body -> Text,
        created_at -> Timestamp,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        activity_id -> BigInt,
        inbox_url -> Text,
        instance_id -> BigInt,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        last_status -> Nullable<Integer>,
        last_response -> Nullable<Text>,
        refused_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    received_activities (ap_id) {
        ap_id -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    mod_log (id) {
        id -> BigInt,
        group_id -> BigInt,
        moderator_id -> Nullable<BigInt>,
        action -> Text,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        person_id -> Nullable<BigInt>,
        reason -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        group_id -> BigInt,
        reporter_id -> BigInt,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        reason -> Text,
        ap_id -> Nullable<Text>,
        resolved_by -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        position -> Integer,
        kind -> Text,
        url -> Text,
        media_type -> Nullable<Text>,
        alt -> Nullable<Text>,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        blurhash -> Nullable<Text>,
    }
}

diesel::table! {
    uploads (id) {
        id -> BigInt,
        hash -> Text,
        url -> Text,
        media_type -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> BigInt,
        uploader_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        unused_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    upload_owners (upload_id, person_id) {
        upload_id -> BigInt,
        person_id -> BigInt,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        recipient_id -> BigInt,
        kind -> Text,
        subject_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        group_id -> BigInt,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_preferences (local_user_id) {
        local_user_id -> BigInt,
        replies -> Text,
        mentions -> Text,
        moderation -> Text,
        reports -> Text,
        answers -> Text,
        digest_through -> Timestamp,
    }
}

diesel::table! {
    mail_tokens (id) {
        id -> BigInt,
        local_user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        email -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outgoing_mails (id) {
        id -> BigInt,
        local_user_id -> BigInt,
        kind -> Text,
        to_address -> Text,
        notification_id -> Nullable<BigInt>,
        period_start -> Nullable<Timestamp>,
        period_end -> Nullable<Timestamp>,
        created_at -> Timestamp,
        next_attempt_at -> Timestamp,
        attempts -> Integer,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    alert_rules (id) {
        id -> BigInt,
        kind -> Text,
        group_id -> Nullable<BigInt>,
        enabled -> Bool,
        threshold -> Integer,
        words -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alert_incidents (id) {
        id -> BigInt,
        rule_id -> BigInt,
        incident_key -> Text,
        group_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        summary -> Text,
        evidence -> Text,
        opened_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    alert_state (id) {
        id -> BigInt,
        events_through -> BigInt,
        webhook_url -> Nullable<Text>,
        webhook_secret -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alert_webhooks (id) {
        id -> BigInt,
        incident_id -> BigInt,
        url -> Text,
        body -> Text,
        created_at -> Timestamp,
        next_attempt_at -> Timestamp,
        attempts -> Integer,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::joinable!(mail_preferences -> local_users (local_user_id));
diesel::joinable!(mail_tokens -> local_users (local_user_id));
diesel::joinable!(outgoing_mails -> local_users (local_user_id));
diesel::joinable!(deliveries -> outgoing_activities (activity_id));
diesel::joinable!(deliveries -> instances (instance_id));
diesel::joinable!(persons -> instances (instance_id));
diesel::joinable!(local_users -> persons (person_id));
diesel::joinable!(api_tokens -> local_users (local_user_id));
diesel::joinable!(groups -> instances (instance_id));
diesel::joinable!(group_follows -> groups (group_id));
diesel::joinable!(group_follows -> persons (person_id));
diesel::joinable!(group_moderators -> groups (group_id));
diesel::joinable!(group_moderators -> persons (person_id));
diesel::joinable!(posts -> groups (group_id));
diesel::joinable!(posts -> persons (author_id));
diesel::joinable!(comments -> posts (post_id));
diesel::joinable!(comments -> persons (author_id));
diesel::joinable!(post_votes -> posts (post_id));
diesel::joinable!(comment_votes -> comments (comment_id));
diesel::joinable!(attachments -> posts (post_id));
diesel::joinable!(attachments -> comments (comment_id));
diesel::joinable!(notifications -> groups (group_id));
diesel::joinable!(uploads -> persons (uploader_id));
diesel::joinable!(alert_incidents -> alert_rules (rule_id));
diesel::joinable!(alert_webhooks -> alert_incidents (incident_id));
diesel::joinable!(upload_owners -> uploads (upload_id));
diesel::joinable!(upload_owners -> persons (person_id));

diesel::table! {
    insight_days (group_id, day) {
        group_id -> BigInt,
        day -> Date,
        threads -> BigInt,
        comments -> BigInt,
        votes -> BigInt,
        follows -> BigInt,
        local_follows -> BigInt,
    }
}

diesel::table! {
    insight_day_people (group_id, day, person_id) {
        group_id -> BigInt,
        day -> Date,
        person_id -> BigInt,
        contributions -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    site,
    instances,
    persons,
    local_users,
    api_tokens,
    groups,
    group_follows,
    group_moderators,
    group_bans,
    posts,
    comments,
    post_votes,
    comment_votes,
    uploads,
    upload_owners,
    events,
    outgoing_activities,
    deliveries,
    received_activities,
    mod_log,
    reports,
    attachments,
    notifications,
    mail_preferences,
    mail_tokens,
    outgoing_mails,
    alert_rules,
    alert_incidents,
    alert_state,
    alert_webhooks,
    insight_days,
    insight_day_people,
);
