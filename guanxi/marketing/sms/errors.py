"""The vendors' documented error codes with what they mean for the person sending. Codes not
listed keep the vendor's own message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Retrying the same request later may work (limits, balance, the service): not permanent.
TEMPORARY = {
    "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH",
    "isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY", "Throttling.User", "ServiceUnavailable",
    "LimitExceeded.PhoneNumberDailyLimit", "LimitExceeded.PhoneNumberThirtySecondLimit",
    "LimitExceeded.PhoneNumberOneHourLimit", "LimitExceeded.DeliveryFrequencyLimit",
    "FailedOperation.InsufficientBalanceInSmsPackage", "InternalError.Timeout",
    "InternalError.OtherError", "RequestLimitExceeded",
}

ALIYUN = {
    "isv.SMS_SIGNATURE_ILLEGAL": _("The SMS signature is not approved or does not exist: "
                                   "check GUANXI_SMS_SIGN_NAME against the console."),
    "isv.SMS_TEMPLATE_ILLEGAL": _("The SMS template is not approved or does not exist: check "
                                  "the template code."),
    "isv.TEMPLATE_MISSING_PARAMETERS": _("The SMS template needs a parameter that was not "
                                         "given."),
    "isv.INVALID_PARAMETERS": _("The SMS request has an invalid parameter."),
    "isv.MOBILE_NUMBER_ILLEGAL": _("The mobile number is not valid."),
    "isv.MOBILE_COUNT_OVER_LIMIT": _("Too many mobile numbers in one request."),
    "isv.BUSINESS_LIMIT_CONTROL": _("The number has received too many SMS in a short time; "
                                    "the provider holds further ones back."),
    "isv.DAY_LIMIT_CONTROL": _("The daily SMS limit for this number is reached."),
    "isv.AMOUNT_NOT_ENOUGH": _("The SMS account's balance is too low."),
    "isv.OUT_OF_SERVICE": _("The SMS account is suspended (overdue payment)."),
    "isv.BLACK_KEY_CONTROL_LIMIT": _("The text contains words the provider does not allow."),
    "isv.PARAM_LENGTH_LIMIT": _("A template parameter is too long."),
    "isv.PARAM_NOT_SUPPORT_URL": _("The template does not allow links in its parameters."),
    "isv.ACCOUNT_NOT_EXISTS": _("The SMS account does not exist."),
    "isv.ACCOUNT_ABNORMAL": _("The SMS account is not in good standing."),
    "isv.SMS_CONTENT_ILLEGAL": _("The SMS text is refused by the provider's content rules."),
    "isv.SMS_SIGN_ILLEGAL": _("The SMS signature is not allowed."),
    "isp.SYSTEM_ERROR": _("The SMS provider had an internal error; try again later."),
    "isp.RAM_PERMISSION_DENY": _("The access key may not send SMS (RAM permission)."),
    "SignatureDoesNotMatch": _("The SMS access key secret is wrong: the request signature "
                               "does not match."),
    "InvalidAccessKeyId.NotFound": _("The SMS access key id does not exist."),
    "InvalidAccessKeyId.Inactive": _("The SMS access key is disabled."),
    "SignatureNonceUsed": _("The request was sent twice (signature nonce used)."),
    "InvalidTimeStamp.Expired": _("The server clock is off: the request's time stamp has "
                                  "expired."),
}

TENCENT = {
    "AuthFailure.SignatureFailure": _("The SMS secret key is wrong: the request signature does "
                                      "not match."),
    "AuthFailure.SecretIdNotFound": _("The SMS secret id does not exist."),
    "AuthFailure.SignatureExpire": _("The server clock is off: the request's signature has "
                                     "expired."),
    "FailedOperation.SignatureIncorrectOrUnapproved": _(
        "The SMS signature is not approved or does not exist: check GUANXI_SMS_SIGN_NAME "
        "against the console."),
    "FailedOperation.TemplateIncorrectOrUnapproved": _(
        "The SMS template is not approved or does not exist: check the template id."),
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": _(
        "The template parameters do not match the approved template."),
    "FailedOperation.ContainSensitiveWord": _("The text contains words the provider does not "
                                              "allow."),
    "FailedOperation.InsufficientBalanceInSmsPackage": _("The SMS package is used up."),
    "FailedOperation.MarketingSendTimeConstraint": _(
        "Marketing SMS may only be sent between 8:00 and 22:00."),
    "FailedOperation.PhoneNumberInBlacklist": _("The number has opted out of SMS from this "
                                                "sender."),
    "InvalidParameterValue.IncorrectPhoneNumber": _("The mobile number is not valid."),
    "InvalidParameterValue.TemplateParameterFormatError": _(
        "A template parameter has the wrong format."),
    "InvalidParameterValue.TemplateParameterLengthLimit": _("A template parameter is too long."),
    "InvalidParameterValue.ContentLengthLimit": _("The SMS text is too long."),
    "InvalidParameterValue.SdkAppIdNotExist": _("The SMS application id (SmsSdkAppId) does not "
                                                "exist."),
    "LimitExceeded.PhoneNumberDailyLimit": _("The daily SMS limit for this number is reached."),
    "LimitExceeded.PhoneNumberThirtySecondLimit": _("The number received an SMS less than 30 "
                                                    "seconds ago."),
    "LimitExceeded.PhoneNumberOneHourLimit": _("The hourly SMS limit for this number is "
                                               "reached."),
    "LimitExceeded.PhoneNumberCountLimit": _("Too many mobile numbers in one request (at most "
                                             "200)."),
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": _("The SMS application id does not belong "
                                                     "to this account."),
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": _(
        "Chinese and foreign numbers cannot be sent in one request."),
    "InternalError.Timeout": _("The SMS provider timed out; try again later."),
    "RequestLimitExceeded": _("Too many requests to the SMS provider; try again later."),
}


def explain(table: dict, code: str, fallback: str) -> str:
    found = table.get(code)
    return str(found) if found is not None else f"{code}: {fallback}".strip(": ")


def permanent(code: str) -> bool:
    return code not in TEMPORARY
