# packaging/windows/install.ps1 - install of the PostGuard host on Windows without the MSI:
# copies the host, CLI, rules (less rules\tools and README) and manifests, and registers the host
# for Chrome, Chromium, Edge and Firefox.
#   - Run as administrator: into %ProgramFiles%\PostGuard, keys under HKLM (what the MSI does;
#     the policy templates turn user-level hosts off, so a managed browser reads only HKLM).
#   - Otherwise: into %LOCALAPPDATA%\PostGuard, keys under HKCU, for this user only (works only
#     where no policy disables user-level native messaging hosts).
#
# Usage (PowerShell, from the source tree, after the mingw-w64 build,
# cmake -B build-win -DCMAKE_TOOLCHAIN_FILE=packaging/windows/mingw-w64.cmake ...):
#   powershell -ExecutionPolicy Bypass -File packaging\windows\install.ps1 [-BinDir build-win]
#   powershell -ExecutionPolicy Bypass -File packaging\windows\install.ps1 -Uninstall
# A clinic installs the MSI instead (postguard.wxs); see docs/deployment.md.
[CmdletBinding()]
param(
    [string]$BinDir = "build-win",
    [string]$RulesDir = "rules",
    [string]$InstallDir = "",
    [switch]$Uninstall
)
$ErrorActionPreference = "Stop"

$Admin = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole(
    [Security.Principal.WindowsBuiltInRole]::Administrator)
$Hive = if ($Admin) { "HKLM:" } else { "HKCU:" }
if (-not $InstallDir) {
    $InstallDir = if ($Admin) { Join-Path $env:ProgramFiles "PostGuard" } else { Join-Path $env:LOCALAPPDATA "PostGuard" }
}

$Version = "0.1.0"
$HostName = "ca.postguard.host"
$ExtensionId = "gkfbpcjpnomknlhmihjkfgokmbldcppa"
$FirefoxId = "postguard@postguard.ca"
$ManifestSource = $PSScriptRoot

# The registry keys each browser reads (HKLM or HKCU); the default value is the manifest's path.
$Keys = [ordered]@{
    "Chrome"   = @{ Key = "$Hive\Software\Google\Chrome\NativeMessagingHosts\$HostName";    Manifest = "$HostName.chromium.json" }
    "Chromium" = @{ Key = "$Hive\Software\Chromium\NativeMessagingHosts\$HostName";         Manifest = "$HostName.chromium.json" }
    "Edge"     = @{ Key = "$Hive\Software\Microsoft\Edge\NativeMessagingHosts\$HostName";   Manifest = "$HostName.chromium.json" }
    "Firefox"  = @{ Key = "$Hive\Software\Mozilla\NativeMessagingHosts\$HostName";          Manifest = "$HostName.firefox.json" }
}

function Remove-PostGuard {
    foreach ($browser in $Keys.Keys) {
        $key = $Keys[$browser].Key
        if (Test-Path $key) { Remove-Item -Path $key -Recurse -Force; Write-Host "removed $key" }
    }
    if (Test-Path $InstallDir) { Remove-Item -Path $InstallDir -Recurse -Force; Write-Host "removed $InstallDir" }
    Write-Host "PostGuard $Version is uninstalled from $InstallDir and $Hive."
}

if ($Uninstall) { Remove-PostGuard; exit 0 }

foreach ($exe in "postguard-host.exe", "postguard.exe") {
    if (-not (Test-Path (Join-Path $BinDir $exe))) {
        Write-Error "FAILED: $exe is not in $BinDir. Build first (docs/deployment.md): cmake -B build-win -DCMAKE_TOOLCHAIN_FILE=packaging/windows/mingw-w64.cmake -DPG_WIN_DEPS=PREFIX -DPG_TESTS=OFF; cmake --build build-win"
    }
}
if (-not (Test-Path (Join-Path $RulesDir "pack.json"))) {
    Write-Error "FAILED: no rule pack at $RulesDir (run this from the source tree, or pass -RulesDir)"
}

New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
Copy-Item (Join-Path $BinDir "postguard-host.exe") $InstallDir -Force
Copy-Item (Join-Path $BinDir "postguard.exe") $InstallDir -Force
$rulesTarget = Join-Path $InstallDir "rules"
if (Test-Path $rulesTarget) { Remove-Item $rulesTarget -Recurse -Force }
Copy-Item $RulesDir $rulesTarget -Recurse -Exclude "README.md"
# rules\tools holds the trainer's scripts: not part of an installed pack (the MSI leaves it out too)
$toolsTarget = Join-Path $rulesTarget "tools"
if (Test-Path $toolsTarget) { Remove-Item $toolsTarget -Recurse -Force }
# The manifests name postguard-host.exe relative to their own folder (allowed on Windows).
Copy-Item (Join-Path $ManifestSource "$HostName.chromium.json") $InstallDir -Force
Copy-Item (Join-Path $ManifestSource "$HostName.firefox.json") $InstallDir -Force

foreach ($browser in $Keys.Keys) {
    $key = $Keys[$browser].Key
    $manifest = Join-Path $InstallDir $Keys[$browser].Manifest
    New-Item -Path $key -Force | Out-Null
    Set-ItemProperty -Path $key -Name "(default)" -Value $manifest
    Write-Host "$browser`: $key -> $manifest"
}

Write-Host ""
$Whom = if ($Admin) { "all users (HKLM)" } else { "$env:USERNAME (HKCU)" }
Write-Host "PostGuard $Version host installed in $InstallDir for $Whom (extension id $ExtensionId, Firefox $FirefoxId)."
Write-Host "Load the extension: chrome://extensions or edge://extensions -> Developer mode -> Load unpacked -> the extension folder."
Write-Host "To remove: powershell -ExecutionPolicy Bypass -File packaging\windows\install.ps1 -Uninstall"
