# dynamo: the CLI and worker in one image. docker-compose.yml runs it as 'dynamo worker'.
#   docker build -t dynamo-deploy .
#   docker run --rm -e TEMPORAL_ADDRESS=temporal:7233 dynamo-deploy worker
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so source edits do not re-download them.
COPY pom.xml ./
COPY ir/pom.xml ir/
COPY render/pom.xml render/
COPY workflows/pom.xml workflows/
COPY activities/pom.xml activities/
COPY worker/pom.xml worker/
COPY cli/pom.xml cli/
RUN mvn -B -q -pl cli -am dependency:go-offline -DexcludeReactor=true || true
COPY . .
RUN mvn -B -q -DskipTests -pl cli -am package

FROM eclipse-temurin:17-jre
# SSH to Slurm login nodes is done in Java (sshj): no ssh client needed in the image.
RUN useradd --create-home --uid 10001 dynamo
COPY --from=build /src/cli/target/dynamo.jar /opt/dynamo/dynamo.jar
USER dynamo
WORKDIR /home/dynamo
# SIGTERM (docker stop) makes the worker stop polling and finish in-flight work within its grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/opt/dynamo/dynamo.jar"]
CMD ["worker"]
