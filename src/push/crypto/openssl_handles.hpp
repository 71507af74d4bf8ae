#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

namespace flow::push {

// unique_ptr owners for the OpenSSL objects the push crypto uses, so that every early
// return frees what it made.
template <auto Free>
struct OpensslDeleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpensslDeleter<EVP_CIPHER_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;

// The oldest error on this thread's OpenSSL error queue, as text, and the queue emptied.
// Every failure path calls it (or ERR_clear_error): a stale error left on an I/O thread
// would be taken by the next TLS read on that thread as its own.
std::string take_openssl_error();

}  // namespace flow::push
