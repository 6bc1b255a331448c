// Project files in the shapes Visual Studio 2019 and the ASP.NET Core templates write them,
// kept as exact strings (BOMs, CRLF and missing final newlines included) so no checkout
// setting can change their bytes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const BOM = '\uFEFF';
export const crlf = (text) => text.replace(/\n/g, '\r\n');
export const tabs = (text) => text.replace(/^((?: {2})+)/gm, (indent) => '\t'.repeat(indent.length / 2));

/** `dotnet new webapi` (ASP.NET Core 5), as Visual Studio 2019 creates it: IIS Express and Kestrel profiles. */
export const WEBAPI_LAUNCH_SETTINGS = `{
  "$schema": "http://json.schemastore.org/launchsettings.json",
  "iisSettings": {
    "windowsAuthentication": false,
    "anonymousAuthentication": true,
    "iisExpress": {
      "applicationUrl": "http://localhost:61496",
      "sslPort": 44310
    }
  },
  "profiles": {
    "IIS Express": {
      "commandName": "IISExpress",
      "launchBrowser": true,
      "launchUrl": "swagger",
      "environmentVariables": {
        "ASPNETCORE_ENVIRONMENT": "Development"
      }
    },
    "Shop.Api": {
      "commandName": "Project",
      "dotnetRunMessages": "true",
      "launchBrowser": true,
      "launchUrl": "swagger",
      "applicationUrl": "https://localhost:5001;http://localhost:5000",
      "environmentVariables": {
        "ASPNETCORE_ENVIRONMENT": "Development"
      }
    }
  }
}
`;

/** The MVC template with Visual Studio's Docker profile, commented by hand, trailing commas, tabs. */
export const COMMENTED_TABBED_LAUNCH_SETTINGS = tabs(`{
  // Kept in source control; local overrides go in launchSettings.Development.json.
  "iisSettings": {
    "windowsAuthentication": false,
    "anonymousAuthentication": true,
    "iisExpress": {
      "applicationUrl": "http://localhost:52107",
      "sslPort": 0,
    },
  },
  "profiles": {
    /* IIS Express is what the team debugs with. */
    "IIS Express": {
      "commandName": "IISExpress",
      "launchBrowser": true,
      "environmentVariables": {
        "ASPNETCORE_ENVIRONMENT": "Development",
      },
    },
    "Shop.Web": {
      "commandName": "Project",
      "launchBrowser": true,
      "applicationUrl": "http://localhost:5080", // Kestrel, plain http
      "environmentVariables": {
        "ASPNETCORE_ENVIRONMENT": "Development",
      },
    },
    "Docker": {
      "commandName": "Docker",
      "launchBrowser": true,
      "launchUrl": "{Scheme}://{ServiceHost}:{ServicePort}",
      "publishAllPorts": true,
    },
  },
}`);

/** A worker service's file with four-space indentation and an empty profile list. */
export const EMPTY_PROFILES_LAUNCH_SETTINGS = `{
    "profiles": {}
}
`;

/** Only IIS settings, no "profiles" at all (someone deleted the last one). */
export const NO_PROFILES_LAUNCH_SETTINGS = `{
  "iisSettings": {
    "iisExpress": { "applicationUrl": "http://localhost:40000", "sslPort": 0 }
  }
}`;

/** Open Folder, CMake: what "Add Debug Configuration" writes for a target. */
export const CMAKE_LAUNCH_VS = `{
  "version": "0.2.1",
  "defaults": {},
  "configurations": [
    {
      "type": "default",
      "project": "CMakeLists.txt",
      "projectTarget": "orders.exe (src\\\\orders.exe)",
      "name": "orders.exe (src\\\\orders.exe)"
    }
  ]
}
`;

/** Open Folder, Node.js: a configuration for server.js with its own env and a comment. */
export const NODE_LAUNCH_VS = `{
  "version": "0.2.1",
  // Started with F5 on server.js.
  "configurations": [
    {
      "type": "default",
      "project": "server.js",
      "name": "server.js",
      "env": { "PORT": "3000", "NODE_ENV": "development" }
    }
  ]
}`;

/** Open Folder, Python: the Python workload's configuration, tabs. */
export const PYTHON_LAUNCH_VS = tabs(`{
  "version": "0.2.1",
  "defaults": {},
  "configurations": [
    {
      "type": "python",
      "interpreter": "(default)",
      "interpreterArguments": "",
      "scriptArguments": "",
      "env": {},
      "nativeDebug": false,
      "webBrowserUrl": "",
      "project": "app.py",
      "projectTarget": "",
      "name": "app.py"
    }
  ]
}
`);

export const NODE_TASKS_VS = `{
  "version": "0.2.1",
  "tasks": [
    {
      "taskLabel": "npm install",
      "appliesTo": "package.json",
      "type": "launch",
      "command": "\${env.COMSPEC}",
      "args": [ "npm install" ]
    }
  ]
}
`;

/** A Visual Studio 2019 solution: BOM, a blank first line, CRLF, a solution folder. */
export const SHOP_SLN = BOM + crlf(`
Microsoft Visual Studio Solution File, Format Version 12.00
# Visual Studio Version 16
VisualStudioVersion = 16.0.31105.61
MinimumVisualStudioVersion = 10.0.40219.1
Project("{9A19103F-16F7-4668-BE54-9A1E7A4F7556}") = "Shop.Api", "src\\Shop.Api\\Shop.Api.csproj", "{8C1A4A9E-3C66-4E0C-9C1B-0C9E1F3B6A11}"
EndProject
Project("{2150E333-8FDC-42A3-9474-1A3956D46DE8}") = "tests", "tests", "{0B7E9B7E-8E2B-4F06-9E4C-9C7C3F1A2B22}"
EndProject
Project("{9A19103F-16F7-4668-BE54-9A1E7A4F7556}") = "Shop.Orders", "src\\Shop.Orders\\Shop.Orders.csproj", "{5D2B6C0A-1E7F-4B7C-8F3D-2A9E4C6B7D33}"
EndProject
Global
	GlobalSection(SolutionConfigurationPlatforms) = preSolution
		Debug|Any CPU = Debug|Any CPU
	EndGlobalSection
EndGlobal
`);

export const WEB_CSPROJ = `<Project Sdk="Microsoft.NET.Sdk.Web">

  <PropertyGroup>
    <TargetFramework>net5.0</TargetFramework>
  </PropertyGroup>

</Project>
`;

export const NAMED_CSPROJ = `<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net5.0</TargetFramework>
    <!-- <AssemblyName>Old.Name</AssemblyName> -->
    <AssemblyName>Shop.Orders.Service</AssemblyName>
  </PropertyGroup>
</Project>
`;

/** Writes files (relative path → content) under a fresh temp folder; returns it and a cleanup. */
export function tree(files) {
	const root = mkdtempSync(join(tmpdir(), 'kb-vs-'));
	for (const [path, content] of Object.entries(files)) {
		const full = join(root, ...path.split('/'));
		mkdirSync(dirname(full), { recursive: true });
		writeFileSync(full, content);
	}
	return { root, path: (relative) => join(root, ...relative.split('/')), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
