#ifndef SIMPUL_CCURL_SHIM_H
#define SIMPUL_CCURL_SHIM_H

#include <curl/curl.h>
#include <pthread.h>

// Swift cannot call C variadic functions, so each argument type of curl_easy_setopt and
// curl_easy_getinfo gets a typed wrapper.

/// Signature shared by CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION and CURLOPT_READFUNCTION.
typedef size_t (*simpul_curl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);

static inline CURLcode simpul_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode simpul_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode simpul_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode simpul_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode simpul_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode simpul_curl_setopt_data_callback(
    CURL *handle, CURLoption option, simpul_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

/// Signature of CURLOPT_XFERINFOFUNCTION: totals and amounts so far, down then up; non-zero aborts.
typedef int (*simpul_curl_xferinfo_callback)(
    void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode simpul_curl_setopt_xferinfo_callback(CURL *handle, simpul_curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

static inline CURLcode simpul_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode simpul_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline struct curl_slist *simpul_curl_slist_append(struct curl_slist *list, const char *line) {
    return curl_slist_append(list, line);
}

/// Signature of CURLOPT_PREREQFUNCTION: called once the connection is up, before the request goes.
typedef int (*simpul_curl_prereq_callback)(
    void *userdata, char *primary_ip, char *local_ip, int primary_port, int local_port);

static inline CURLcode simpul_curl_setopt_prereq_callback(CURL *handle, simpul_curl_prereq_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, callback);
}

static inline CURLcode simpul_curl_setopt_share(CURL *handle, CURLSH *share) {
    return curl_easy_setopt(handle, CURLOPT_SHARE, share);
}

// One lock guards everything a share holds: its users take it for microseconds, a session's lookup.
static void simpul_curl_share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *userptr) {
    (void)handle;
    (void)data;
    (void)access;
    pthread_mutex_lock((pthread_mutex_t *)userptr);
}

static void simpul_curl_share_unlock(CURL *handle, curl_lock_data data, void *userptr) {
    (void)handle;
    (void)data;
    pthread_mutex_unlock((pthread_mutex_t *)userptr);
}

/// A share of TLS sessions between easy handles, guarded by `mutex` (initialised, never freed while the
/// share lives), so that a new connection to the same hub resumes the session instead of a full handshake.
static inline CURLSH *simpul_curl_session_share(pthread_mutex_t *mutex) {
    CURLSH *share = curl_share_init();
    if (!share) return NULL;
    if (curl_share_setopt(share, CURLSHOPT_LOCKFUNC, simpul_curl_share_lock) != CURLSHE_OK
        || curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, simpul_curl_share_unlock) != CURLSHE_OK
        || curl_share_setopt(share, CURLSHOPT_USERDATA, (void *)mutex) != CURLSHE_OK
        || curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
        curl_share_cleanup(share);
        return NULL;
    }
    return share;
}

#endif
