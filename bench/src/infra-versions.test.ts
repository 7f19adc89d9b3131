import { javaVersionFrom, kafkaVersionFromJars, versitygwVersionFromBuildInfo } from './infra-versions';

describe('kafkaVersionFromJars', () => {
  it("reads the broker jar's version and ignores the others", () => {
    expect(kafkaVersionFromJars(['kafka-clients-4.4.0.jar', 'kafka-tools-4.4.0.jar', 'kafka_2.13-4.4.0.jar', 'scala-library-2.13.18.jar'])).toBe('4.4.0');
    expect(kafkaVersionFromJars(['kafka-clients-4.4.0.jar'])).toBeUndefined();
  });
});

describe('versitygwVersionFromBuildInfo', () => {
  it('reads the main module version of `go version -m`', () => {
    const text = ['/x/.local/bin/versitygw: go1.25.4', '\tpath\tgithub.com/versity/versitygw/cmd/versitygw', '\tmod\tgithub.com/versity/versitygw\tv1.8.0\th1:abc=', '\tdep\tgithub.com/aws/aws-sdk-go-v2\tv1.39.0\th1:def='].join('\n');
    expect(versitygwVersionFromBuildInfo(text)).toBe('v1.8.0');
    expect(versitygwVersionFromBuildInfo('go: not found')).toBeUndefined();
  });
});

describe('javaVersionFrom', () => {
  it('reads vendor and version of `java -version`', () => {
    expect(javaVersionFrom('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6)\n')).toBe('openjdk 17.0.15');
    expect(javaVersionFrom('bash: java: command not found')).toBeUndefined();
  });
});
