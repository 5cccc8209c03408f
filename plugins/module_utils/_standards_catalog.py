# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cipp.cipp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The standards CIPP knows (names as a standards template keys them), from CIPP-API's
Config/standards.json: a template naming any other standard is stored but never runs. Private."""
from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

#: every standard name (without the ``standards.`` prefix)
STANDARD_NAMES = frozenset((
    "ActivityBasedTimeout", "AddDKIM", "AddDMARCToMOERA", "AdminSSPR", "AnonReportDisable", "AntiPhishPolicy",
    "AntiSpamSafeList", "AppDeploy", "AppManagementPolicy", "AssignmentFilterTemplate", "AtpPolicyForO365",
    "AuditLog", "AuthMethodsPolicyMigration", "AuthMethodsSettings", "AuthenticationMethods", "AutoAddProxy",
    "AutoArchive", "AutoArchiveMailbox", "AutoExpandArchive", "AutopatchGroup", "AutopilotProfile",
    "AutopilotStatusPage", "BitLockerKeysForOwnedDevice", "Bookings", "Branding", "CloudMessageRecall",
    "CollaborationDomainRestriction", "ColleagueImpersonationAlert", "ConditionalAccessTemplate",
    "CopilotLimitedMode", "CopilotSettings", "CustomBannedPasswordList", "DefaultPlatformRestrictions",
    "DefaultSharingLink", "DefenderCompliancePolicy", "DelegateSentItems", "DeletedUserRentention",
    "DeployCheckChromeExtension", "DeployContactTemplates", "DeployMailContact", "DevicePrepProfile",
    "DisableAddShortcutsToOneDrive", "DisableAdditionalStorageProviders", "DisableAppCreation",
    "DisableBasicAuthSMTP", "DisableEWS", "DisableEmail", "DisableExchangeOnlinePowerShell",
    "DisableExternalCalendarSharing", "DisableGuestDirectory", "DisableGuests", "DisableInactiveUsers",
    "DisableM365GroupUsers", "DisableOutlookAddins", "DisableQRCodePin", "DisableReshare",
    "DisableResourceMailbox", "DisableSMS", "DisableSecurityGroupUsers", "DisableSelfServiceLicenses",
    "DisableSharePointLegacyAuth", "DisableSharedMailbox", "DisableTNEF", "DisableTenantCreation",
    "DisableUserSiteCreate", "DisableViva", "DisableVoice", "Disablex509Certificate",
    "DlpCompliancePolicyTemplate", "DlpViaDcsEnabled", "EXODirectSend", "EXODisableAutoForwarding",
    "EXOOutboundSpamLimits", "EmailAsAlternateLoginId", "EmptyFilterIPAllowList", "EnableAppConsentRequests",
    "EnableCustomerLockbox", "EnableExchangeCloudManagement", "EnableFIDO2", "EnableHardwareOAuth",
    "EnableLitigationHold", "EnableMailTips", "EnableMailboxAuditing", "EnableNamePronunciation",
    "EnableOnlineArchiving", "EnablePronouns", "EnforcePrivateGroups",
    "EnrollmentWindowsHelloForBusinessConfiguration", "ExchangeConnectorTemplate", "ExcludedfileExt",
    "ExternalMFATrusted", "FIDO2PasskeyProfiles", "FocusedInbox", "FormsPhishingProtection",
    "GlobalQuarantineNotifications", "GlobalQuarantineSettings", "GroupTemplate", "GuestInvite",
    "IntuneAppTemplateDeploy", "IntuneComplianceSettings", "IntuneTemplate", "IntuneWindowsDiagnostic",
    "LegacyEmailReportAddins", "LegacyMFACleanup", "MDMEnrollmentDuringRegistration", "MDMScope",
    "MailContacts", "MailboxRecipientLimits", "MalwareFilterPolicy", "MessageExpiration", "NudgeMFA",
    "OMEBranding", "OWAAttachmentRestrictions", "OauthConsent", "OauthConsentLowSec", "OutBoundSpamAlert",
    "PWcompanionAppAllowedState", "PWdisplayAppInformationRequiredState", "PasswordExpireDisabled",
    "PerUserMFA", "PhishProtection", "PhishSimSpoofIntelligence", "PhishingSimulations", "ProfilePhotos",
    "QuarantineRequestAlert", "QuarantineTemplate", "RestrictThirdPartyStorageServices",
    "RetentionCompliancePolicyTemplate", "RetentionPolicyTag", "ReusableSettingsTemplate", "RotateDKIM",
    "SPAzureB2B", "SPDirectSharing", "SPDisableCustomScripts", "SPDisableLegacyWorkflows",
    "SPDisableStoreAccess", "SPDisallowInfectedFiles", "SPEmailAttestation", "SPExternalUserExpiration",
    "SPFileRequests", "SPOVersionControl", "SPSyncButtonState", "SafeAttachmentPolicy", "SafeLinksPolicy",
    "SafeLinksTemplatePolicy", "SafeSendersDisable", "SecureScoreRemediation", "SecurityDefaults",
    "SendFromAlias", "SendReceiveLimitTenant", "SensitiveInfoTypeTemplate", "SensitivityLabelTemplate",
    "SetDefaultMailboxFont", "SharePointMassDeletionAlert", "ShortenMeetings", "SmartLockout",
    "SpamFilterPolicy", "SpoofWarn", "StaleEntraDevices", "TAP", "TeamsChatProtection",
    "TeamsDisableResourceAccounts", "TeamsEmailIntegration", "TeamsEnrollUser", "TeamsExternalAccessPolicy",
    "TeamsExternalChatWithAnyone", "TeamsExternalFileSharing", "TeamsFederationConfiguration",
    "TeamsGlobalMeetingPolicy", "TeamsGuestAccess", "TeamsMeetingRecordingExpiration",
    "TeamsMeetingVerification", "TeamsMeetingsByDefault", "TeamsMessagingPolicy", "TeamsZAP",
    "TenantAllowBlockListTemplate", "TenantDefaultTimezone", "TransportRuleTemplate",
    "TwoClickEmailProtection", "UndoOauth", "UserPreferredLanguage", "UserSubmissions",
    "WindowsBackupRestore", "allowOAuthTokens", "allowOTPTokens", "calDefault", "disableMacSync",
    "intuneBrandingProfile", "intuneDeviceReg", "intuneDeviceRegLocalAdmins", "intuneDeviceRetirementDays",
    "intuneRequireMFA", "intuneRestrictUserDeviceJoin", "intuneRestrictUserDeviceRegistration", "laps",
    "sharingCapability", "sharingDomainRestriction", "unmanagedSync",
))

#: standards a template holds as a list of instances (one per CIPP template they deploy)
MULTIPLE = frozenset(("ConditionalAccessTemplate", "IntuneTemplate", "QuarantineTemplate", "ReusableSettingsTemplate"))

#: actions a standard does not implement (the UI disables them)
DISABLED_ACTIONS = {
    "AddDMARCToMOERA": ("remediate",),
    "AssignmentFilterTemplate": ("alert", "report"),
    "AutoAddProxy": ("alert",),
    "ExchangeConnectorTemplate": ("alert", "report"),
    "GroupTemplate": ("alert", "report"),
    "PhishProtection": ("alert", "report"),
    "SafeSendersDisable": ("alert", "report"),
    "TransportRuleTemplate": ("alert", "report"),
    "calDefault": ("alert", "report"),
}
